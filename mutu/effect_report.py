"""The report's programme effectiveness section: text lines and an inline SVG of before and after."""

from html import escape
from typing import Any

from services.portal.charts import effectiveness as chart


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
