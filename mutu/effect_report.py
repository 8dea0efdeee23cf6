"""The report's programme effectiveness section: text lines and an inline SVG of before and after."""

from html import escape
from typing import Any

BEFORE, AFTER, AXIS = "#8c959f", "#0b4f8a", "#d0d7de"


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def _people(row: dict[str, Any]) -> str:
    people = row["people"]
    waiting = f", {people['waiting']} waiting for the quarter after" if people["waiting"] else ""
    return f"{people['counted']} of {people['passed']} who passed counted{waiting}"


def _ratings(counts: dict[str, int]) -> str:
    return ", ".join(f"{rating} {n}" for rating, n in counts.items()) or "none"


def text(effect: dict[str, Any]) -> list[str]:
    """One block per programme: before, after, the difference with its interval, who counted."""
    rows = effect.get("programs", [])
    heading = (
        f"Programme effectiveness (first passed in {effect.get('period')}): verified answers naming the"
        " officers on their elements, closed quarters before against the closed quarter after"
    )
    lines = ["", heading, "  mean before -> mean after, difference [95% Welch interval]"]
    if not rows:
        lines.append("  no programme passed in the period")
    for row in rows:
        rank = f"{row['rank']:>2}." if row["rank"] is not None else "  -"
        before, after = row["before"], row["after"]
        lines.append(f"  {rank} {row['program_id']}")
        if row["difference"] is None:
            lines.append(f"      {row['reason']}")
        else:
            interval = row["interval"]
            lines.append(
                f"      before {before['mean']:.2f} ({before['answers']} answers)"
                f"  after {after['mean']:.2f} ({after['answers']} answers)"
                f"  difference {_signed(row['difference'])}"
                f" [{_signed(interval['low'])}, {_signed(interval['high'])}]"
            )
        ratings = row["appraisals"]
        lines.append(
            f"      {_people(row)}; appraisals before: {_ratings(ratings['before'])};"
            f" after: {_ratings(ratings['after'])}"
        )
    return lines


def chart(effect: dict[str, Any]) -> str:
    """Per programme a line from the mean before (grey dot) to the mean after (blue dot) on 1-4."""
    rows = effect.get("programs", [])
    label_w, plot_w, text_w, row_h, top = 260, 360, 300, 26, 22
    height = top + row_h * max(1, len(rows)) + 8

    def x(value: float) -> float:
        return round(label_w + (value - 1) / 3 * plot_w, 1)

    title = f"Mean before and after per programme, first passed in {effect.get('period')}"
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
            note = f"not enough data ({row['before']['answers']} before, {row['after']['answers']} after)"
            parts.append(f'<text x="{label_w + 6}" y="{y + 4}" fill="#57606a">{escape(note)}</text>')
            continue
        before, after, interval = row["before"]["mean"], row["after"]["mean"], row["interval"]
        parts.append(
            f'<line x1="{x(before)}" x2="{x(after)}" y1="{y}" y2="{y}" stroke="{AFTER}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle class="before" cx="{x(before)}" cy="{y}" r="5" fill="{BEFORE}">'
            f"<title>before: {before:.2f} ({row['before']['answers']} answers)</title></circle>"
        )
        parts.append(
            f'<circle class="after" cx="{x(after)}" cy="{y}" r="5" fill="{AFTER}">'
            f"<title>after: {after:.2f} ({row['after']['answers']} answers)</title></circle>"
        )
        label = f"{_signed(row['difference'])} [{_signed(interval['low'])}, {_signed(interval['high'])}]"
        parts.append(f'<text x="{label_w + plot_w + 10}" y="{y + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def table(effect: dict[str, Any]) -> str:
    """The figures behind the chart: counts, means, the difference and its interval."""

    def cell(value: object) -> str:
        return "-" if value is None else escape(str(value))

    body = "".join(
        f"<tr><td>{cell(r['rank'])}</td><td>{escape(r['program_id'])}</td>"
        f"<td class=num>{r['people']['counted']} / {r['people']['passed']}</td>"
        f"<td class=num>{r['before']['answers']}</td><td class=num>{cell(r['before']['mean'])}</td>"
        f"<td class=num>{r['after']['answers']}</td><td class=num>{cell(r['after']['mean'])}</td>"
        f"<td class=num>{cell(r['difference'])}</td>"
        f"<td>{_interval(r)}</td></tr>"
        for r in effect.get("programs", [])
    )
    head = (
        "<tr><th>#</th><th>programme</th><th>people counted</th><th>answers before</th><th>mean</th>"
        "<th>answers after</th><th>mean</th><th>difference</th><th>95% interval</th></tr>"
    )
    return f"<table id=effectiveness>{head}{body}</table>"


def _interval(row: dict[str, Any]) -> str:
    interval = row["interval"]
    if interval is None:
        return escape(row["reason"] or "-")
    return f"{interval['low']} to {interval['high']}"


def section(effect: dict[str, Any] | None) -> str:
    """The HTML section (empty when the report has no effectiveness figures)."""
    if not effect:
        return ""
    return (
        f"<h2>Programme effectiveness (first passed in {escape(str(effect.get('period')))})</h2>"
        "<p>Verified answers naming the officers who passed, on the officer's elements: the closed quarters"
        " before the pass (grey) against the closed quarter after it (blue); the difference with its 95%"
        " Welch interval. Fewer than the minimum answers on a side: not enough data.</p>"
        f"{chart(effect)}{table(effect)}"
    )
