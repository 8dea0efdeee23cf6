"""`mutu report`: the programme report of a quarter, read from the services' HTTP APIs."""

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from mutu import effect_report, skm_report
from mutu.demo import charts as demo_charts
from mutu.demo import command as demo
from mutu.demo import roster

ELEMENTS = tuple(f"u{i}" for i in range(1, 10))
JP_BINS = ((0, 0, "0"), (1, 9, "1-9"), (10, 19, "10-19"), (20, 29, "20-29"), (30, 10_000, "30+"))


async def gather_report(
    target: demo.Target,
    period: str,
    people: dict[str, str] | None = None,
    units: dict[str, str] | None = None,
) -> dict[str, Any]:
    """IKM per unit, JP against the duty, top earners, retraining recommendations and unmet demand.

    `people` (NIP -> unit) limits the personal figures to a roster; without it the people are those
    on the rewards leaderboard and in the recommendations.
    """
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    async with httpx.AsyncClient(timeout=30) as client:

        async def get(service: str, path: str, **params: Any) -> Any:
            answer = await client.get(target.urls[service] + path, params=params, headers=reader)
            answer.raise_for_status()
            return answer.json()

        ikm = await get("evaluation", "/ikm", period=period)
        recs = (await get("evaluation", "/recommendations"))["recommendations"]
        leaders = (await get("rewards", "/leaderboard", period=period, limit=100))["leaders"]
        rules = await get("evaluation", "/rules")
        forum = await get("evaluation", "/forum-signals", period=period)
        effect = await get("evaluation", "/effectiveness", period=period[:4])
        planning = await get("training", "/planning", period=period)
        if people is None:
            people = {row["nip"]: row.get("unit_id") or "" for row in leaders}
            people |= {r["nip"]: r.get("unit_id") or "" for r in recs if r.get("nip")}
        nips = sorted(people)
        profiles = await asyncio.gather(*(get("evaluation", f"/asn/{nip}/profile") for nip in nips))
        points = await asyncio.gather(*(get("rewards", f"/asn/{nip}/points", limit=200) for nip in nips))
    unit_rows = [u for u in ikm["units"] if units is None or u["unit_id"] in units]
    if units is not None:
        recs = [r for r in recs if r.get("nip") in people or (r.get("unit_id") in units and not r.get("nip"))]
    duty = int(rules.get("jp", {}).get("duty", 20))
    jp = {
        nip: int(p.get("jp", {}).get(period[:4], {}).get("jp", 0))
        for nip, p in zip(nips, profiles, strict=True)
    }
    earned = {
        nip: sum(
            e["points"]
            for e in p["ledger"]
            if e.get("period") == period and e["points"] > 0 and e.get("kind") == "grant"
        )
        for nip, p in zip(nips, points, strict=True)
    }
    return {
        "period": period,
        "units": unit_rows,
        "elements": _elements(unit_rows),
        "jp": _jp(jp, duty),
        "earners": [
            {"nip": nip, "unit_id": people[nip], "points": pts}
            for nip, pts in sorted(earned.items(), key=lambda kv: (-kv[1], kv[0]))
            if pts > 0
        ][:10],
        "points": earned,
        "recommendations": _recommendations(recs),
        "forum_signals": _forum_signals(forum, units),
        "effectiveness": effect,
        "unmet_demand": unmet_demand(planning),
    }


def _forum_signals(found: dict[str, Any], units: dict[str, str] | None) -> dict[str, Any]:
    """Complaints per unit and topic in the quarter, against the forum rule's minimum."""
    rows = [
        {
            "unit_id": u["unit_id"],
            "topic_code": t["topic_code"],
            "topic": t["topic"] or "(no topic)",
            "competency": t["competency"],
            "complaints": t["complaints"],
            "signal": t["signal"],
        }
        for u in found["units"]
        if units is None or u["unit_id"] in units
        for t in u["topics"]
    ]
    rows.sort(key=lambda r: (-r["complaints"], r["unit_id"], r["topic_code"] or ""))
    return {"minimum": found["minimum"], "closed": found["closed"], "complaints": rows}


def _elements(units: list[dict[str, Any]]) -> dict[str, float | None]:
    """Element averages over all units (weighted by respondents)."""
    total = sum(u["respondents"] for u in units if u.get("nrr"))
    if not total:
        return dict.fromkeys(ELEMENTS)
    return {
        e: round(sum(u["nrr"][e] * u["respondents"] for u in units if u.get("nrr")) / total, 4)
        for e in ELEMENTS
    }


def _jp(per_person: dict[str, int], duty: int) -> dict[str, Any]:
    met = sum(1 for v in per_person.values() if v >= duty)
    bins = [(label, sum(1 for v in per_person.values() if low <= v <= high)) for low, high, label in JP_BINS]
    return {
        "duty": duty,
        "people": len(per_person),
        "met": met,
        "share": round(met / len(per_person), 3) if per_person else None,
        "per_person": per_person,
        "distribution": bins,
    }


def _recommendations(recs: list[dict[str, Any]]) -> dict[str, Any]:
    items = [
        {
            "target": r.get("nip") or r.get("unit_id"),
            "kind": "person" if r.get("nip") else "unit",
            "rule_id": r["rule_id"],
            "competency": r["competency"],
            "status": r.get("status", "open"),
            "reason": r["reason"],
            "caused_by": len(r.get("caused_by", [])),
        }
        for r in recs
    ]
    return {
        "by_status": dict(Counter(i["status"] for i in items)),
        "by_rule": dict(Counter(i["rule_id"] for i in items)),
        "open": [i for i in items if i["status"] == "open"],
        "all": items,
    }


def unmet_demand(planning: dict[str, Any]) -> dict[str, Any]:
    """Training's `GET /planning`: per competency, people waiting, free seats and the gap."""
    rows = [
        {
            "competency": row["competency"],
            "people_waiting": row["people_waiting"],
            "units_waiting": row["units_waiting"],
            "programmes": len(row["programmes"]),
            "free_seats": row["free_seats"],
            "gap": row["gap"],
            "no_programme": row["no_programme"],
        }
        for row in planning["competencies"]
    ]
    return {"seats_from": planning["seats_from"], "gap": sum(r["gap"] for r in rows), "competencies": rows}


def render_unmet_demand(demand: dict[str, Any]) -> list[str]:
    title = (
        f"Unmet retraining demand: {demand['gap']} people waiting beyond the free seats"
        f" of programmes starting from {demand['seats_from'][:10]}"
    )
    lines = [
        title,
        f"  {'competency':<24} {'waiting':>7} {'units':>5} {'programmes':>10} {'free seats':>10} {'gap':>5}",
    ]
    lines += [
        f"  {r['competency']:<24} {r['people_waiting']:>7} {len(r['units_waiting']):>5} {r['programmes']:>10}"
        f" {r['free_seats']:>10} {r['gap']:>5}{'  no programme' if r['no_programme'] else ''}"
        for r in demand["competencies"]
    ]
    return lines if demand["competencies"] else [title, "  nobody waits and no programme is planned"]


def render_text(report: dict[str, Any]) -> str:
    lines = [f"Mutu programme report {report['period']}", "", "IKM per unit (PermenPANRB 14/2017)"]
    for u in report["units"]:
        online = u["by_channel"]["online"]
        lines.append(
            f"  {u['unit_id']:<24} {u['respondents']:>4} resp"
            f"  IKM {u['converted'] or 0:6.2f}  {u['grade'] or '-'}"
            f"  (online {online['converted'] or 0:6.2f} {online['grade'] or '-'})"
        )
    jp = report["jp"]
    lines += ["", f"JP compliance: {jp['met']} of {jp['people']} reached the {jp['duty']}-JP duty"]
    lines += [f"  {label:>6} JP: {'#' * n} {n}" for label, n in jp["distribution"]]
    lines += ["", "Top reward earners"]
    lines += [
        f"  {i + 1:>2}. {e['nip']} {e['unit_id']:<24} {e['points']:>4} points"
        for i, e in enumerate(report["earners"])
    ]
    recs = report["recommendations"]
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(recs["by_status"].items()))
    rules = ", ".join(f"{rule} {n}" for rule, n in sorted(recs["by_rule"].items()))
    lines += ["", f"Retraining recommendations: {statuses or 'none'} ({rules})", "  open, with their cause:"]
    lines += [
        f"  {r['target']:<24} {r['competency']:<24} {r['rule_id']:<20} {r['reason']}"
        for r in sorted(recs["open"], key=lambda r: (r["kind"] != "unit", r["rule_id"], r["target"]))[:40]
    ]
    if len(recs["open"]) > 40:  # noqa: PLR2004
        lines.append(f"  ... and {len(recs['open']) - 40} more (--json or --html for all)")
    lines += _forum_lines(report.get("forum_signals"))
    if "effectiveness" in report:
        lines += effect_report.text(report["effectiveness"])
    if "unmet_demand" in report:
        lines += ["", *render_unmet_demand(report["unmet_demand"])]
    return "\n".join(lines)


def _forum_lines(forum: dict[str, Any] | None) -> list[str]:
    if forum is None:
        return []
    state = "closed" if forum["closed"] else "not closed yet: the rule waits for the close"
    lines = [
        "",
        f"Forum signals: complaints per unit and topic (retraining at >= {forum['minimum']}; {state})",
    ]
    lines += [
        f"  {r['unit_id']:<24} {r['topic']:<32} {r['complaints']:>4}"
        + (f"  -> {r['competency']}" if r["signal"] else "")
        for r in forum["complaints"][:40]
    ]
    return lines if forum["complaints"] else [*lines, "  no complaints"]


def _roster(path: Path | None) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    if path is None or not path.exists():
        return None, None
    raw = json.loads(path.read_text())
    return {p["nip"]: p["unit_id"] for p in raw["people"]}, raw.get("units", roster.UNITS)


def _run(args: argparse.Namespace) -> None:
    target = demo.target_from(args)
    if args.unit:
        skm_report.run(target, args.unit, args.period, args.html, args.pdf)
        return
    if args.pdf:
        sys.exit("report: --pdf is the SKM report of one unit: add --unit U")
    default_roster = Path(os.environ.get("VAR_DIR", "var")) / "demo-roster.json"
    people, units = _roster(args.roster or (default_roster if default_roster.exists() else None))
    try:
        report = asyncio.run(gather_report(target, args.period, people, units))
    except httpx.HTTPError as error:
        sys.exit(f"report: the services did not answer ({error!r}); are they running (`make run`)?")
    print(json.dumps(report, indent=1) if args.json else render_text(report))
    if args.html:
        args.html.write_text(demo_charts.page(report))
        print(f"\nwrote {args.html}")


def add_to(commands: Any) -> None:
    parser = commands.add_parser("report", help="the programme report of a quarter, from the services' APIs")
    parser.add_argument("--period", default=roster.PERIOD, help="YYYY-Qn")
    parser.add_argument("--html", type=Path, help="also write a self-contained HTML page with charts")
    parser.add_argument("--unit", help="the official SKM report of this unit (PermenPANRB 14/2017)")
    parser.add_argument(
        "--pdf", type=Path, help="with --unit: write the SKM report as PDF (headless Chromium)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of text")
    parser.add_argument("--roster", type=Path, help="people to report on (default: var/demo-roster.json)")
    demo.add_urls(parser)
    parser.set_defaults(handler=_run)
