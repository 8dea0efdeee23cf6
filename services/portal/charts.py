"""Small inline SVG charts (no script, no external assets): a quarter trend and NRR bars."""

from html import escape

from markupsafe import Markup

GRADE_COLOURS = {"A": "#116329", "B": "#0b4f8a", "C": "#7d4e00", "D": "#a40e26"}
SERIES_COLOURS = {"all": "#0b4f8a", "online": "#6639ba", "counter": "#7d4e00"}


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
