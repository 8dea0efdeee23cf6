"""Dashboard pages: overview of the quarter, a unit, a person, the programme catalogue."""

import asyncio
import re
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal import charts, periods
from services.portal.client import Fetched, Services
from shared.web import users

UNIT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
NIP = re.compile(r"^[0-9]{18}$")
ELEMENTS = tuple(f"u{i}" for i in range(1, 10))
CHANNELS = ("all", "online", "counter")
EFFECT_WORDS = {
    "title": "Rata-rata sebelum dan sesudah per program, lulus pertama pada",
    "not_enough": "data belum cukup; jawaban sebelum / sesudah:",
    "before": "sebelum",
    "after": "sesudah",
}
Render = Callable[..., HTMLResponse]


def element_names(questionnaire: Fetched) -> dict[str, str]:
    """Element names from the survey's questionnaire (codes alone when the survey is down)."""
    found = {e["code"]: e["name"] for e in questionnaire.get("elements", [])}
    return {code: found.get(code, code.upper()) for code in ELEMENTS}


def overview_rows(quarters: list[str], answers: list[Fetched]) -> list[dict[str, Any]]:
    """One row per unit: this quarter's IKM and grade, and the converted IKM of the last four quarters."""
    by_quarter = [{u["unit_id"]: u for u in a.get("units", [])} for a in answers]
    current = by_quarter[-1]
    units = sorted(
        {unit for found in by_quarter for unit in found},
        key=lambda u: (-(current.get(u, {}).get("converted") or 0), u),
    )
    rows = []
    for unit in units:
        points = [
            (q, found.get(unit, {}).get("converted")) for q, found in zip(quarters, by_quarter, strict=True)
        ]
        rows.append(
            {"unit_id": unit, **current.get(unit, {"respondents": 0}), "trend": charts.trend(unit, points)}
        )
    return rows


def jp_pace_rows(units: list[dict[str, Any]], expected: int, duty: int) -> list[dict[str, Any]]:
    """Per unit: active members, their mean JP this year, how many keep the pace and how many met the duty."""
    rows = []
    for unit in units:
        jps = [int(jp) for jp in unit.get("jp") or []]
        rows.append(
            {
                "unit_id": unit.get("unit_id"),
                "members": len(jps),
                "mean_jp": sum(jps) / len(jps) if jps else None,
                "on_pace": sum(1 for jp in jps if jp >= expected),
                "met": sum(1 for jp in jps if jp >= duty),
            }
        )
    # the units furthest behind first
    return sorted(rows, key=lambda r: (r["on_pace"] / max(r["members"], 1), r["unit_id"] or ""))


async def jp_pace(services: Services, now_quarter: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """JP pace of the programme year so far, per unit (the roster's active members)."""
    rules, found = await services.many(("evaluation", "/rules", {}), ("training", "/roster/jp", {}))
    jp = rules.get("jp") or {}
    pace, duty = jp.get("pace") or [5, 10, 15, 20], jp.get("duty", 20)
    expected = pace[int(now_quarter[-1]) - 1]
    pace_of_year = {
        "expected": expected, "duty": duty, "quarter": now_quarter, "year": found.get("year"),
        "notices": {f.notice for f in (rules, found) if f.notice},
    }  # fmt: skip
    return jp_pace_rows(found.get("units") or [], expected, duty), pace_of_year


def nrr_rows(ikm: Fetched, names: dict[str, str]) -> list[tuple[str, dict[str, float | None]]]:
    channels = ikm.get("by_channel") or {}
    sources = {"all": ikm.get("nrr") or {}} | {
        c: (channels.get(c) or {}).get("nrr") or {} for c in CHANNELS[1:]
    }
    return [
        (f"{code.upper()} {names[code]}", {s: sources[s].get(code) for s in CHANNELS}) for code in ELEMENTS
    ]


def unit_recommendations(recs: Fetched, unit_id: str) -> list[dict[str, Any]]:
    """Recommendations addressed to the unit itself (its members' own ones are in the members table)."""
    return [r for r in recs.get("recommendations", []) if r.get("unit_id") == unit_id and not r.get("nip")]


def build(services: Services, signed_in: Callable[[Request], users.User], render: Render) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    User = Annotated[users.User, Depends(signed_in)]

    @router.get("/", response_class=HTMLResponse)
    async def overview(request: Request, user: User, period: str | None = None) -> HTMLResponse:
        period = periods.chosen(period)
        quarters = periods.last(period)
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("evaluation", "/ikm", {"period": q}) for q in quarters
        ]
        calls += [
            ("evaluation", "/recommendations", {"status": "open"}),
            ("rewards", "/leaderboard", {"period": period, "limit": 10}),
        ]
        (*ikm, recs, board), (pace_rows, pace) = await asyncio.gather(
            services.many(*calls), jp_pace(services, periods.current())
        )
        open_recs = recs.get("recommendations", [])
        by_competency = Counter(r.get("competency", "?") for r in open_recs).most_common()
        return render(
            request, "overview.html", user=user, active="overview", period=period, quarters=quarters,
            rows=overview_rows(quarters, ikm), by_competency=by_competency, open_count=len(open_recs),
            unit_recs=sum(1 for r in open_recs if not r.get("nip")), leaders=board.get("leaders", []),
            pace_rows=pace_rows, pace=pace,
            notices=sorted({f.notice for f in (*ikm, recs, board) if f.notice} | pace["notices"]),
        )  # fmt: skip

    @router.get("/units/{unit_id}", response_class=HTMLResponse)
    async def unit(request: Request, user: User, unit_id: str, period: str | None = None) -> HTMLResponse:
        if not UNIT.match(unit_id):
            return render(request, "base.html", 404, user=user, notices=["Unit tidak dikenal."])
        period = periods.chosen(period)
        ikm, sample, recs, feedback, questionnaire, members, signals = await services.many(
            ("evaluation", f"/units/{unit_id}/ikm", {"period": period}),
            ("survey", f"/units/{unit_id}/responses/summary", {"period": period}),
            ("evaluation", "/recommendations", {"unit_id": unit_id}),
            ("survey", f"/units/{unit_id}/feedback", {}),
            ("survey", "/questionnaire", {}),
            ("training", f"/units/{unit_id}/members", {}),
            ("evaluation", "/forum-signals", {"period": period, "unit_id": unit_id}),
        )
        names = element_names(questionnaire)
        survey = services.public_survey_url
        return render(
            request, "unit.html", user=user, unit_id=unit_id, period=period, quarters=periods.last(period),
            ikm=ikm.data or {}, sample=sample.data or {}, feedback=feedback.data or {}, names=names,
            chart=charts.element_bars(nrr_rows(ikm, names), CHANNELS) if ikm.get("nrr") else None,
            recommendations=unit_recommendations(recs, unit_id), members=members.data or {},
            signals=signals.data or {}, topics=[t for u in signals.get("units", []) for t in u["topics"]],
            form_url=f"{survey}/s/{unit_id}", qr_url=f"{survey}/units/{unit_id}/qr.svg",
            notices=sorted({f.notice for f in (ikm, sample, recs, feedback, members, signals) if f.notice}),
        )  # fmt: skip

    @router.get("/asn")
    async def find_person(_: User, nip: str = "") -> Response:
        return RedirectResponse(f"/asn/{nip.strip()}" if NIP.match(nip.strip()) else "/", status_code=303)

    @router.get("/asn/{nip}", response_class=HTMLResponse)
    async def person(request: Request, user: User, nip: str) -> HTMLResponse:
        if not NIP.match(nip):
            return render(request, "base.html", 404, user=user, notices=["NIP terdiri dari 18 angka."])
        profile, trainings, points = await services.many(
            ("evaluation", f"/asn/{nip}/profile", {}),
            ("training", f"/asn/{nip}/trainings", {}),
            ("rewards", f"/asn/{nip}/points", {"limit": 50}),
        )
        return render(
            request, "person.html", user=user, nip=nip, profile=profile.data or {},
            trainings=trainings.data or {}, points=points.data or {},
            notices=sorted({f.notice for f in (profile, trainings, points) if f.notice}),
        )  # fmt: skip

    @router.get("/programmes", response_class=HTMLResponse)
    async def programmes(request: Request, user: User) -> HTMLResponse:
        quarter = periods.current()
        found, effect, planning = await services.many(
            ("training", "/programs", {}),
            ("evaluation", "/effectiveness", {"period": quarter[:4]}),
            ("training", "/planning", {"period": quarter}),
        )
        rows = found.data if isinstance(found.data, list) else []
        measured = {row["program_id"]: row for row in effect.get("programs", [])}
        return render(
            request, "programmes.html", user=user, active="programmes", programmes=rows,
            effect=effect.data or {}, measured=measured, planning=planning.data or {},
            chart=charts.effectiveness(effect.data, EFFECT_WORDS) if effect.get("programs") else None,
            notices=sorted({f.notice for f in (found, effect, planning) if f.notice}),
        )  # fmt: skip

    return router
