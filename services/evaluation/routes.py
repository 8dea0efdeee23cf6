"""Evaluation HTTP routes: appraisals in; IKM, profiles, recommendations, rules and runs out."""

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from services.evaluation import handlers, ikm, satisfaction, views
from services.evaluation.model import Person
from services.evaluation.repository import People, UnitQuarters
from services.evaluation.rules import Rules
from services.evaluation.unit_rule import UnitRule
from shared import web
from shared.contract import envelope, events
from shared.contract.calendar import Clock, utc_now
from shared.contract.fields import AppraisalPeriod, Nip, Quarter, UnitId
from shared.contract.units import Units
from shared.web import apikeys

RUN_BATCH = 64
Status = Literal["open", "scheduled", "done", "withdrawn"]


def build_routes(
    *,
    auth: web.Auth,
    units: Units,
    people: People,
    quarters: UnitQuarters,
    unit_rule: UnitRule,
    rules: Rules,
    clock: Clock = utc_now,
) -> list[APIRouter]:
    async def appraised(event: envelope.CloudEvent[events.PerformanceAppraised]) -> bool:
        return await handlers.record_appraisal(event, people=people, rules=rules, now=clock())

    router = APIRouter(tags=["evaluation"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]
    Admin = Annotated[apikeys.ApiKey, Depends(auth.require("admin"))]

    @router.get("/units/{unit_id}/ikm")
    async def unit_ikm(unit_id: UnitId, period: Annotated[AppraisalPeriod, Query()]) -> dict[str, Any]:
        found = await unit_rule.tallies(unit_id, ikm.quarters_of(period))
        by_channel = found.get(unit_id, dict.fromkeys(satisfaction.CHANNELS, ikm.EMPTY))
        return unit_rule.describe(unit_id, period, by_channel)

    @router.get("/ikm")
    async def all_units(period: Annotated[AppraisalPeriod, Query()]) -> dict[str, Any]:
        found = await unit_rule.tallies(None, ikm.quarters_of(period))
        rows = [unit_rule.describe(unit, period, by_channel) for unit, by_channel in found.items()]
        rows.sort(key=lambda row: (-(row["converted"] or 0), row["unit_id"]))
        return {"period": period, "units": [{"rank": i + 1, **row} for i, row in enumerate(rows)]}

    @router.get("/asn/{nip}/profile")
    async def person(nip: Nip, _: Reader) -> dict[str, Any]:
        year = str(rules.calendar.year_of(clock()))
        return views.profile(nip, await people.get(nip) or Person(), rules, year=year)

    @router.get("/recommendations")
    async def recommendations(_: Reader, status: Status | None = None) -> dict[str, Any]:
        found = [row async for row in people.recommendations(open_only=status == "open")]
        found += [row async for row in quarters.recommendations()]
        items = views.recommendations(found, status)
        return {"status": status, "count": len(items), "recommendations": items}

    @router.get("/rules")
    async def active_rules() -> dict[str, Any]:
        return rules.model_dump(mode="json")

    @router.post("/evaluations/run")
    async def run(period: Annotated[Quarter, Query()], _: Admin) -> dict[str, Any]:
        """Quarter-end run: the period rules for every known person and unit (idempotent).

        409 while the quarter is under way, 422 before it starts (programme calendar).
        """
        handlers.check_quarter_ended(period, now=clock(), rules=rules)
        nips = [nip async for nip in people.nips()]
        for start in range(0, len(nips), RUN_BATCH):  # concurrent calls share group commits
            batch = nips[start : start + RUN_BATCH]
            await asyncio.gather(
                *(handlers.close_quarter(n, period, people=people, rules=rules) for n in batch)
            )
        found = await unit_rule.tallies(None, [period])
        fired = sum([await unit_rule.evaluate(unit, period) for unit in found])
        return {"period": period, "people": len(nips), "units": len(found), "unit_recommendations": fired}

    return [web.event_intake(auth, web.Intake(units).on(events.PerformanceAppraised, appraised)), router]
