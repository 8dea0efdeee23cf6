"""Catalogue routes: anyone may read programmes (no personal data); changes need an admin key; seats."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from services.training.handlers import catalogue
from services.training.model import programmes, views
from services.training.model.people import Enrolment
from services.training.model.programmes import Program, Programme, ProgramPatch
from services.training.repository import Repositories
from services.training.settings import TrainingSettings
from shared import errors, web
from shared.contract import events
from shared.contract.fields import Competency, Identifier, Nip
from shared.web import apikeys


class Seat(BaseModel):
    program_id: str
    nip: str
    status: str


class Holders(BaseModel):
    program_id: str
    enrolled: list[str]


def build(
    *, auth: web.Auth, repos: Repositories, settings: TrainingSettings, allowed: frozenset[str]
) -> APIRouter:
    router = APIRouter(tags=["catalogue"])
    Admin = Annotated[apikeys.ApiKey, Depends(auth.require("admin"))]

    def shown(programme: Programme) -> views.ProgramView:
        return views.program(
            programme, default_timezone=settings.default_timezone, minutes_per_jp=settings.minutes_per_jp
        )

    @router.post(
        "/programs", status_code=201, responses={200: {"description": "the same programme existed"}, 409: {}}
    )
    async def create_program(program: Program, _: Admin, response: Response) -> views.ProgramView:
        programmes.check_competency(program.competency, allowed, ("body", "competency"))
        programme, created = await catalogue.create_programme(program, repos=repos)
        if not created:
            response.status_code = 200
        return shown(programme)

    @router.get("/programs")
    async def list_programs(
        competency: Competency | None = None,
        method: events.Method | None = None,
        upcoming: Annotated[bool, Query(description="only programmes that have not started")] = False,
    ) -> list[views.ProgramView]:
        after = dt.datetime.now(dt.UTC) if upcoming else None
        found = await repos.programmes.listing(competency=competency, method=method, starts_after=after)
        return [shown(programme) for programme in found]

    @router.get("/programs/{program_id}", responses={404: {}})
    async def get_program(program_id: Identifier) -> views.ProgramView:
        return shown(await catalogue.shown(program_id, repos=repos))

    @router.patch(
        "/programs/{program_id}", responses={404: {}, 409: {"description": "capacity below seats taken"}}
    )
    async def patch_program(program_id: Identifier, patch: ProgramPatch, _: Admin) -> views.ProgramView:
        programmes.check_competency(patch.competency, allowed, ("body", "competency"))
        return shown(await catalogue.patch_programme(program_id, patch, repos=repos))

    return router


def enrolments(*, auth: web.Auth, repos: Repositories) -> APIRouter:
    """Seats: an integrator key with scope `enrolments` (or admin) takes and gives them back."""
    router = APIRouter(tags=["enrolments"])
    Enroller = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "enrolments"))]
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.post(
        "/programs/{program_id}/enrolments",
        status_code=201,
        responses={
            200: {"description": "already enrolled"},
            404: {},
            409: {"description": "the programme is full"},
        },
    )
    async def enrol(program_id: Identifier, enrolment: Enrolment, _: Enroller, response: Response) -> Seat:
        if not await catalogue.enrol(program_id, enrolment.nip, enrolment.unit_id, repos=repos):
            response.status_code = 200
        return Seat(program_id=program_id, nip=enrolment.nip, status="enrolled")

    @router.delete("/programs/{program_id}/enrolments/{nip}", responses={404: {}})
    async def withdraw(program_id: Identifier, nip: Nip, _: Enroller) -> Seat:
        if not await catalogue.withdraw(program_id, nip, repos=repos):
            raise errors.NotFoundError("no such enrolment")
        return Seat(program_id=program_id, nip=nip, status="withdrawn")

    @router.get("/programs/{program_id}/enrolments", responses={404: {}})
    async def enrolled(program_id: Identifier, _: Reader) -> Holders:
        return Holders(program_id=program_id, enrolled=await catalogue.holders(program_id, repos=repos))

    return router
