"""Small inline SVG charts (no script, no external assets): a quarter trend and NRR bars."""

from html import escape
from typing import Any

from markupsafe import Markup

GRADE_COLOURS = {"A": "#116329", "B": "#0b4f8a", "C": "#7d4e00", "D": "#a40e26"}
SERIES_COLOURS = {"all": "#0b4f8a", "online": "#6639ba", "counter": "#7d4e00"}
BEFORE, AFTER, AXIS = "#8c959f", "#0b4f8a", "#d0d7de"
EFFECT_WORDS = {
    "title": "Mean before and after per programme, first passed in",
    "not_enough": "not enough data; answers before / after:",
    "before": "before",
    "after": "after",
}


def trend(unit_id: str, points: list[tuple[str, float | None]]) -> Markup:
    """Converted IKM (25-100) per quarter as a small line with dots; its values are in the title."""
    width, height, pad = 160, 44, 6
    step = (width - 2 * pad) / max(1, len(points) - 1)
    described = ", ".join(
        f"{period}: {value:.2f}" if value is not None else f"{period}: -" for period, value in points
    )
    dots: list[str] = []
    path: list[str] = []
    for i, (period, value) in enumerate(points):
        if value is None:
            continue
        x = pad + i * step
        y = height - pad - (value - 25) / 75 * (height - 2 * pad)
        path.append(f"{'M' if not path else 'L'}{x:.1f},{y:.1f}")
        title = f"<title>{escape(period)}: {value:.2f}</title>"
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b4f8a">{title}</circle>')
    line = (
        f'<path d="{" ".join(path)}" fill="none" stroke="#0b4f8a" stroke-width="2"/>' if len(path) > 1 else ""
    )
    return Markup(  # noqa: S704 - every inserted text is escaped, numbers are formatted
        f'<svg class="trend" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="IKM {escape(unit_id)}: {escape(described)}"><title>IKM {escape(described)}</title>'
        f'<line x1="{pad}" x2="{width - pad}" y1="{height - pad}" y2="{height - pad}" stroke="#8c959f"/>'
        f"{line}{''.join(dots)}</svg>"
    )


def element_bars(rows: list[tuple[str, dict[str, float | None]]], series: tuple[str, ...]) -> Markup:
    """Grouped horizontal bars of NRR (1-4) per element, one bar per series (all, online, counter)."""
    label_w, bar_w, bar_h, gap = 330, 300, 12, 10
    group_h = len(series) * bar_h + gap
    height = len(rows) * group_h + 30
    parts = [
        (
            f'<svg class="bars" role="img" viewBox="0 0 {label_w + bar_w + 60} {height}" width="100%" '
            'aria-label="NRR per unsur (skala 1-4) per kanal">'
        )
    ]
    for tick in (1, 2, 3, 4):
        x = label_w + (tick - 1) / 3 * bar_w
        parts.append(f'<line x1="{x:.0f}" x2="{x:.0f}" y1="0" y2="{height - 22}" stroke="#d0d7de"/>')
        parts.append(f'<text x="{x:.0f}" y="{height - 8}" text-anchor="middle">{tick}</text>')
    for i, (label, values) in enumerate(rows):
        top = i * group_h
        parts.append(
            f'<text x="0" y="{top + group_h / 2:.0f}" dominant-baseline="middle">{escape(label)}</text>'
        )
        for j, name in enumerate(series):
            value = values.get(name)
            if value is None:
                continue
            y = top + j * bar_h
            w = max(1.0, (value - 1) / 3 * bar_w)
            parts.append(
                f'<rect class="bar" data-series="{name}" x="{label_w}" y="{y}" width="{w:.1f}" '
                f'height="{bar_h - 2}" fill="{SERIES_COLOURS[name]}">'
                f"<title>{escape(label)} {name}: {value:.3f}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h / 2:.0f}" '
                f'dominant-baseline="middle">{value:.2f}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - labels escaped, numbers formatted


def effectiveness(effect: dict[str, Any], words: dict[str, str] | None = None) -> Markup:
    """Per programme a line from the mean before (grey dot) to the mean after (blue dot) on 1-4."""
    said = EFFECT_WORDS | (words or {})
    rows = effect.get("programs", [])
    label_w, plot_w, text_w, row_h, top = 260, 360, 300, 26, 22
    height = top + row_h * max(1, len(rows)) + 8

    def x(value: float) -> float:
        return round(label_w + (value - 1) / 3 * plot_w, 1)

    title = f"{said['title']} {effect.get('period')}"
    opening = (
        f'<svg id="chart-effectiveness" role="img" aria-label="{escape(title)}"'
        f' xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + text_w}" height="{height}">'
    )
    parts = [opening, f"<title>{escape(title)}</title>"]
    for tick in (1, 2, 3, 4):
        parts.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{top - 4}" y2="{height - 8}" stroke="{AXIS}"/>'
        )
        parts.append(f'<text x="{x(tick)}" y="{top - 8}" text-anchor="middle">{tick}</text>')
    for i, row in enumerate(rows):
        y = top + i * row_h + row_h / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 4}" text-anchor="end">{escape(row["program_id"])}</text>'
        )
        if row["difference"] is None:
            note = f"{said['not_enough']} {row['before']['answers']} / {row['after']['answers']}"
            parts.append(f'<text x="{label_w + 6}" y="{y + 4}" fill="#57606a">{escape(note)}</text>')
            continue
        before, after, interval = row["before"]["mean"], row["after"]["mean"], row["interval"]
        parts.append(
            f'<line x1="{x(before)}" x2="{x(after)}" y1="{y}" y2="{y}" stroke="{AFTER}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle class="before" cx="{x(before)}" cy="{y}" r="5" fill="{BEFORE}">'
            f"<title>{escape(said['before'])}: {before:.2f} (n={row['before']['answers']})</title></circle>"
        )
        parts.append(
            f'<circle class="after" cx="{x(after)}" cy="{y}" r="5" fill="{AFTER}">'
            f"<title>{escape(said['after'])}: {after:.2f} (n={row['after']['answers']})</title></circle>"
        )
        label = f"{row['difference']:+.2f} [{interval['low']:+.2f}, {interval['high']:+.2f}]"
        parts.append(f'<text x="{label_w + plot_w + 10}" y="{y + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every inserted text is escaped, numbers are formatted
