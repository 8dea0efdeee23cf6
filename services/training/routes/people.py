"""People: the roster, a unit's members, a person's trainings per year and recommendations.

Personal data: reading needs a reader key; the roster is written by an admin or an integrator
with scope `roster` (an HR system).
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from services.training.handlers import roster
from services.training.model import views
from services.training.model.people import Person
from services.training.model.recommendations import Status
from services.training.model.roster import RosterEntry
from services.training.repository import Repositories
from services.training.settings import TrainingSettings
from shared import errors, web
from shared.contract.fields import Nip, UnitId, is_pppk_number
from shared.contract.units import Units
from shared.web import apikeys


class RosterView(BaseModel):
    nip: str
    unit_id: str
    employee_type: str
    name: str | None
    active: bool
    since: dt.datetime


class Members(BaseModel):
    unit_id: str
    year: int
    members: list[views.MemberView]


class UnitJp(BaseModel):
    unit_id: str
    members: int
    jp: list[int]  # each active member's JP this programme year, ascending


class RosterJp(BaseModel):
    year: int
    units: list[UnitJp]


def build(*, auth: web.Auth, units: Units, repos: Repositories, settings: TrainingSettings) -> APIRouter:
    router = APIRouter(tags=["people"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]
    Hr = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "roster"))]

    @router.put("/asn/{nip}", responses={422: {"description": "unknown unit or invalid entry"}})
    async def put_roster(nip: Nip, entry: RosterEntry, _: Hr) -> RosterView:
        """Put the person on the roster (idempotent: the same entry again publishes nothing)."""
        units.require(entry.unit_id)
        if is_pppk_number(nip) and entry.employee_type != "PPPK":  # REFERENCE 5: no month, no PNS NIP
            msg = "an NI PPPK number (digits 13-14 not a month) is a PPPK's"
            reason = {"loc": ["body", "employee_type"], "msg": msg, "type": "pppk_number"}
            raise errors.InvalidError(msg, reasons=[reason])
        person = await roster.put_on_roster(nip, entry, repos=repos)
        if person.roster is None:  # pragma: no cover - put_on_roster always leaves an entry
            raise errors.ConflictError("the roster entry was not kept")
        kept = person.roster
        return RosterView(
            nip=nip,
            unit_id=kept.unit_id,
            employee_type=kept.employee_type,
            name=kept.name,
            active=kept.active,
            since=kept.at,
        )

    @router.get("/units/{unit_id}/members", responses={404: {"description": "unknown unit"}})
    async def members(unit_id: UnitId, _: Reader) -> Members:
        """Active roster members: JP passed this programme year, open recommendations, last training."""
        if unit_id not in units:
            raise errors.NotFoundError("unknown unit: see GET /units")
        now = dt.datetime.now(dt.UTC)
        found = await roster.unit_members(unit_id, repos=repos, calendar=settings.calendar, now=now)
        return Members(unit_id=unit_id, year=settings.calendar.year_of(now), members=found)

    @router.get("/roster/jp")
    async def roster_jp(_: Reader) -> RosterJp:
        """JP passed this programme year by each active roster member, per unit (the JP pace at a glance)."""
        now = dt.datetime.now(dt.UTC)
        found = await roster.jp_by_unit(repos=repos, calendar=settings.calendar, now=now)
        rows = [
            UnitJp(unit_id=unit_id, members=len(shown), jp=sorted(m.jp_this_year for m in shown))
            for unit_id, shown in found.items()
            if shown
        ]
        return RosterJp(year=settings.calendar.year_of(now), units=rows)

    @router.get("/asn/{nip}/trainings")
    async def trainings(
        nip: Nip, _: Reader, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
    ) -> dict[str, Any]:
        person = await repos.people.get(nip) or Person()
        records = await repos.records.of_person(nip)
        return views.trainings(nip, person, records, minutes_per_jp=settings.minutes_per_jp, year=year)

    @router.get("/asn/{nip}/recommendations")
    async def recommendations(nip: Nip, _: Reader, status: Status | None = None) -> dict[str, Any]:
        return views.recommendations(nip, await repos.people.get(nip) or Person(), status)

    return router
