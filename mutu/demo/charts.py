"""The programme report as one self-contained HTML page with inline SVG charts (no JS, no CSS files)."""

from html import escape
from typing import Any

from mutu import effect_report

COLOURS = {"A": "#1a7f37", "B": "#2f6fdd", "C": "#d29922", "D": "#cf222e", None: "#8c959f"}
ELEMENT_NAMES = {
    "u1": "Persyaratan",
    "u2": "Sistem, Mekanisme, dan Prosedur",
    "u3": "Waktu Penyelesaian",
    "u4": "Biaya/Tarif",
    "u5": "Produk Spesifikasi Jenis Pelayanan",
    "u6": "Kompetensi Pelaksana",
    "u7": "Perilaku Pelaksana",
    "u8": "Penanganan Pengaduan, Saran dan Masukan",
    "u9": "Sarana dan Prasarana",
}
NRR_FLOOR = 2.6  # below it an element is grade D and, with >= 30 responses, the unit rule fires
GRADE_MARKS = ((65.0, "C"), (76.61, "B"), (88.31, "A"))
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:980px;color:#1f2328}
table{border-collapse:collapse;margin:1rem 0}
td,th{padding:.25rem .6rem;border-bottom:1px solid #d0d7de;text-align:left}
.num{text-align:right}svg text{font-size:12px;font-family:system-ui,sans-serif}h2{margin-top:2rem}
"""


def bars(
    chart_id: str,
    title: str,
    rows: list[tuple[str, float, str]],
    maximum: float,
    marks: tuple[tuple[float, str], ...] = (),
) -> str:
    """A horizontal bar chart: one <rect class="bar"> per row, labelled, with its value.

    `marks` draws dashed reference lines, for example the grade bounds.
    """
    height, label_w, bar_w = 26, 300, 520
    top = 18 if marks else 5
    parts = [
        (
            f'<svg id="{chart_id}" role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"'
            f' width="{label_w + bar_w + 70}" height="{top + height * len(rows) + 6}">'
        ),
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, colour) in enumerate(rows):
        y = top + i * height
        width = 0 if maximum <= 0 else round(bar_w * value / maximum, 1)
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{width}" height="{height - 8}"'
            f' fill="{colour}"><title>{escape(label)}: {value:g}</title></rect>'
        )
        parts.append(f'<text x="{label_w + width + 6}" y="{y + 16}">{value:g}</text>')
    for value, label in marks:
        x = label_w + round(bar_w * value / maximum, 1)
        bottom = top + height * len(rows)
        parts.append(
            f'<line class="mark" x1="{x}" x2="{x}" y1="{top - 4}" y2="{bottom}" stroke="#57606a"'
            ' stroke-dasharray="3 3"/>'
        )
        parts.append(
            f'<text x="{x}" y="{top - 6}" text-anchor="middle" fill="#57606a">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _weakest_online(units: list[dict[str, Any]]) -> tuple[str, list[tuple[str, float, str]]]:
    """The unit with the lowest online IKM, and its element averages on that channel."""
    online = [u for u in units if u["by_channel"]["online"].get("nrr")]
    if not online:
        return "-", []
    worst = min(online, key=lambda u: u["by_channel"]["online"]["converted"])
    nrr = worst["by_channel"]["online"]["nrr"]
    return worst["unit_id"], [(f"{e} {ELEMENT_NAMES[e]}", v, _nrr_colour(v)) for e, v in nrr.items()]


def _nrr_colour(value: float | None) -> str:
    return "#cf222e" if (value or 0) < NRR_FLOOR else "#2f6fdd"


def _unit_table(units: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(u['unit_id'])}</td><td class=num>{u['respondents']}</td>"
        f"<td class=num>{u['converted'] if u['converted'] is not None else '-'}</td>"
        f"<td>{u['grade'] or '-'}</td>"
        f"<td class=num>{u['by_channel']['online']['converted'] or '-'}</td>"
        f"<td class=num>{u['by_channel']['counter']['converted'] or '-'}</td></tr>"
        for u in units
    )
    head = (
        "<tr><th>unit</th><th>respondents</th><th>IKM</th><th>grade</th><th>online</th><th>counter</th></tr>"
    )
    return f"<table id=ikm-table>{head}{rows}</table>"


def _recommendation_table(recs: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(r['target'])}</td><td>{escape(r['competency'])}</td><td>{escape(r['rule_id'])}</td>"
        f"<td>{escape(r['status'])}</td><td>{escape(r['reason'])}</td></tr>"
        for r in recs
    )
    head = "<tr><th>for</th><th>competency</th><th>rule</th><th>status</th><th>cause</th></tr>"
    return f"<table id=recommendations>{head}{rows}</table>"


def _unmet_demand(demand: dict[str, Any] | None) -> str:
    """Training's unmet demand (GET /planning): competencies with no programme first, then the gap."""
    if demand is None:
        return ""
    rows = "".join(
        f"<tr><td>{escape(r['competency'])}</td><td class=num>{r['people_waiting']}</td>"
        f"<td>{escape(', '.join(r['units_waiting']))}</td><td class=num>{r['programmes']}</td>"
        f"<td class=num>{r['free_seats']}</td><td class=num>{r['gap']}</td>"
        f"<td>{'no programme' if r['no_programme'] else ''}</td></tr>"
        for r in demand["competencies"]
    )
    head = (
        "<tr><th>competency</th><th>people waiting</th><th>units</th><th>programmes</th>"
        "<th>free seats</th><th>gap</th><th></th></tr>"
    )
    return (
        f"<h2>Unmet retraining demand</h2><p>{demand['gap']} people wait beyond the free seats of the"
        f" programmes starting from {escape(demand['seats_from'][:10])}; competencies without any"
        f" programme come first.</p><table id=unmet-demand>{head}{rows}</table>"
    )


def _forum_signals(forum: dict[str, Any] | None) -> str:
    """Complaints per unit and topic (GET /forum-signals), the ones at the rule's minimum marked."""
    if forum is None:
        return ""
    rows = "".join(
        f"<tr><td>{escape(r['unit_id'])}</td><td>{escape(r['topic'])}</td>"
        f"<td class=num>{r['complaints']}</td><td>{escape(r['competency'] or '')}</td>"
        f"<td>{'retraining' if r['signal'] else ''}</td></tr>"
        for r in forum["complaints"]
    )
    state = "closed" if forum["closed"] else "not closed yet: the rule waits for the close"
    head = "<tr><th>unit</th><th>topic</th><th>complaints</th><th>competency</th><th></th></tr>"
    return (
        f"<h2>Forum signals</h2><p>Complaints per unit and topic; {forum['minimum']} or more on one topic"
        f" in a closed quarter recommend retraining for the unit ({state}).</p>"
        f"<table id=forum-signals>{head}{rows or '<tr><td colspan=5>no complaints</td></tr>'}</table>"
    )


def page(report: dict[str, Any]) -> str:
    period = escape(report["period"])
    units = report["units"]
    ikm_rows = [(u["unit_id"], u["converted"] or 0.0, COLOURS[u["grade"]]) for u in units]
    element_rows = [
        (f"{e} {ELEMENT_NAMES[e]}", v or 0.0, _nrr_colour(v)) for e, v in report["elements"].items()
    ]
    weakest, weakest_rows = _weakest_online(units)
    jp = report["jp"]
    jp_rows = [
        (f"{label} JP", float(n), "#1a7f37" if label in {"20-29", "30+"} else "#d29922")
        for label, n in jp["distribution"]
    ]
    earners = "".join(
        f"<tr><td>{i + 1}</td><td>{escape(e['nip'])}</td><td>{escape(e['unit_id'] or '')}</td>"
        f"<td class=num>{e['points']}</td></tr>"
        for i, e in enumerate(report["earners"])
    )
    recs = report["recommendations"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mutu programme report {period}</title>
<style>{STYLE}</style></head><body>
<h1>Mutu programme report {period}</h1>
<p>Kecamatan Candisari: citizens' satisfaction (SKM), competency development and rewards.</p>
<h2>IKM per unit</h2>
{bars("chart-ikm-units", f"IKM per unit, {period}", ikm_rows, 100, GRADE_MARKS)}
{_unit_table(units)}
<h2>Element averages (NRR, 1-4)</h2>
{bars("chart-ikm-elements", "NRR per SKM element", element_rows, 4, ((NRR_FLOOR, "2.6"),))}
<h2>Weakest online service: {escape(weakest)}</h2>
<p>Element averages of the online channel; red elements are below 2.6.</p>
{bars("chart-ikm-online", f"NRR per element, online, {weakest}", weakest_rows, 4, ((NRR_FLOOR, "2.6"),))}
<h2>JP against the {jp["duty"]}-JP duty</h2>
<p>{jp["met"]} of {jp["people"]} civil servants reached the duty.</p>
{bars("chart-jp", "People per JP band", jp_rows, max([n for _, n, _ in jp_rows] + [1]))}
<h2>Top reward earners</h2>
<table id=earners><tr><th>#</th><th>NIP</th><th>unit</th><th>points</th></tr>{earners}</table>
<h2>Retraining recommendations</h2>
<p>By status: {escape(str(recs["by_status"]))}; by rule: {escape(str(recs["by_rule"]))}</p>
{_recommendation_table(recs["open"])}
{effect_report.section(report.get("effectiveness"))}
{_unmet_demand(report.get("unmet_demand"))}
{_forum_signals(report.get("forum_signals"))}
</body></html>
"""
