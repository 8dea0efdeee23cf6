"""Evaluation HTTP routes: appraisals in; IKM, profiles, recommendations, rules and runs out."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from services.evaluation import handlers, ikm, satisfaction, views
from services.evaluation.closing import Closures
from services.evaluation.forum_rule import ForumRule
from services.evaluation.model import Person
from services.evaluation.repository import People, UnitQuarters
from services.evaluation.rules import Rules
from services.evaluation.unit_rule import UnitRule
from shared import errors, web
from shared.contract import envelope, events
from shared.contract.fields import AppraisalPeriod, Identifier, Nip, Quarter, UnitId
from shared.contract.identifiers import field_key
from shared.contract.units import Units
from shared.web import apikeys

Status = Literal["open", "scheduled", "done", "expired", "withdrawn"]


def build_routes(
    *,
    auth: web.Auth,
    units: Units,
    people: People,
    quarters: UnitQuarters,
    unit_rule: UnitRule,
    closures: Closures,
    rules: Rules,
    forum_rule: ForumRule,
) -> list[APIRouter]:
    clock = closures.clock

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

    @router.get("/rules")
    async def active_rules() -> dict[str, Any]:
        return rules.model_dump(mode="json")

    @router.post("/evaluations/run")
    async def run(period: Annotated[Quarter, Query()], _: Admin) -> dict[str, Any]:
        """Close an ended quarter now (before its grace days) and judge its period rules (idempotent).

        409 while the quarter is under way, 422 before it starts (programme calendar).
        """
        now = clock()
        handlers.check_quarter_ended(period, now=now, rules=rules)
        await closures.mark_run(period, now)
        judged = await handlers.judge_quarter(
            period, now, people=people, unit_rule=unit_rule, rules=rules, forum_rule=forum_rule
        )
        await closures.judged(period, now)
        return judged

    intake = web.event_intake(auth, web.Intake(units).on(events.PerformanceAppraised, appraised))
    learned = learning_routes(
        auth=auth,
        units=units,
        people=people,
        quarters=quarters,
        unit_rule=unit_rule,
        closures=closures,
        rules=rules,
        forum_rule=forum_rule,
    )
    listed = recommendation_routes(auth=auth, units=units, people=people, quarters=quarters)
    return [intake, router, listed, learned]


def learning_routes(
    *,
    auth: web.Auth,
    units: Units,
    people: People,
    quarters: UnitQuarters,
    unit_rule: UnitRule,
    closures: Closures,
    rules: Rules,
    forum_rule: ForumRule,
) -> APIRouter:
    """What the programme learns: programme effectiveness and forum signals."""
    router = APIRouter(tags=["evaluation"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.get("/forum-signals")
    async def forum_signals(
        period: Annotated[Quarter, Query()], _: Reader, unit_id: UnitId | None = None
    ) -> dict[str, Any]:
        """Complaints per unit and topic in a quarter, against FORUM_COMPLAINTS_MIN.

        422 for a quarter not started or a unit not configured.
        """
        handlers.check_started(period, now=closures.clock(), rules=rules)
        if unit_id is not None:
            units.require(unit_id, ("query", "unit_id"))
        return await forum_rule.signals(unit_id, period)

    @router.get("/programs/{program_id}/effectiveness")
    async def programme_effectiveness(program_id: Identifier, _: Reader) -> dict[str, Any]:
        """Passers' verified answers before and after, the difference with its 95% interval (README)."""
        return await handlers.programme_effectiveness(
            program_id, people=people, quarters=quarters, unit_rule=unit_rule, closures=closures, rules=rules
        )

    @router.get("/effectiveness")
    async def ranked_effectiveness(period: Annotated[AppraisalPeriod, Query()], _: Reader) -> dict[str, Any]:
        """Programmes first passed in the period, ranked by the difference; too few answers last."""
        handlers.check_started(period, now=closures.clock(), rules=rules)
        return await handlers.ranked_effectiveness(period, people=people, closures=closures, rules=rules)

    return router


def recommendation_routes(
    *, auth: web.Auth, units: Units, people: People, quarters: UnitQuarters
) -> APIRouter:
    """Recommendations (evaluation owns them): the list with filters, and one with its history."""
    router = APIRouter(tags=["evaluation"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.get("/recommendations")
    async def recommendations(
        _: Reader, status: Status | None = None, unit_id: UnitId | None = None, nip: Nip | None = None
    ) -> dict[str, Any]:
        """People's and units' recommendations, oldest first; filters combine; an unknown unit 422."""
        if unit_id is not None:
            units.require(unit_id, ("query", "unit_id"))
        if nip is not None:
            person = await people.get(nip) or Person()
            found = [({"nip": nip, "unit_id": person.unit_id}, f) for f in person.firings.values()]
        else:
            open_only = status in {"open", "scheduled"}
            found = [row async for row in people.recommendations(open_only=open_only, unit_id=unit_id)]
            found += [row async for row in quarters.recommendations(unit_id=unit_id)]
        items = views.recommendations(found, status, unit_id=unit_id)
        return {"status": status, "count": len(items), "recommendations": items}

    @router.get("/recommendations/{recommendation_id}")
    async def recommendation(recommendation_id: Identifier, _: Reader) -> dict[str, Any]:
        """One recommendation with its status and history; 404 when unknown."""
        key = field_key(recommendation_id)
        nip = await people.holding(key)
        if nip is not None:
            person = await people.get(nip) or Person()
            return views.one({"nip": nip, "unit_id": person.unit_id}, person.firings[key])
        holder = await quarters.holding(key)
        quarter = None if holder is None else await quarters.get(holder)
        if quarter is None or key not in quarter.firings:
            msg = f"no recommendation {recommendation_id}"
            raise errors.NotFoundError(msg)
        return views.one({"unit_id": quarter.unit_id}, quarter.firings[key])

    return router
