"""Training HTTP routes: completions as CloudEvents, the programme catalogue and enrolments."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import ValidationError

from services.training import catalogue, group_routes, handlers, model, people_routes, views, xapi_routes
from services.training.settings import TrainingSettings
from shared import apikeys, envelope, events, web
from shared.fields import Competency, Identifier, Nip
from shared.units import Units


def build_routes(
    *, auth: web.Auth, units: Units, stores: handlers.Stores, settings: TrainingSettings
) -> list[APIRouter]:
    allowed = model.competencies(settings.extra_competencies)

    async def completed(event: envelope.CloudEvent[events.TrainingCompleted]) -> bool:
        problem = model.competency_error(event.data.competency, allowed, ("body", "data", "competency"))
        if problem:
            raise HTTPException(422, [problem])
        return await handlers.record_completion(event, stores=stores)

    return [
        web.event_intake(auth, web.Intake(units).on(events.TrainingCompleted, completed)),
        _catalogue(auth, stores, settings, allowed),
        _enrolments(auth, stores),
        group_routes.build(auth=auth, stores=stores),
        xapi_routes.build(auth=auth, stores=stores),
        people_routes.build(auth=auth, stores=stores, settings=settings),
    ]


def _catalogue(  # noqa: C901 - a route table
    auth: web.Auth, stores: handlers.Stores, settings: TrainingSettings, allowed: frozenset[str]
) -> APIRouter:
    """Programmes: anyone may read the catalogue (no personal data); changes need an admin key."""
    router = APIRouter(tags=["catalogue"])
    Admin = Annotated[apikeys.ApiKey, Depends(auth.require("admin"))]

    async def shown(program_id: str) -> dict[str, Any]:
        doc = await catalogue.get(stores.programs, program_id)
        if doc is None:
            raise HTTPException(404, "no such programme")
        return views.program(
            doc, default_timezone=settings.default_timezone, minutes_per_jp=settings.minutes_per_jp
        )

    @router.post(
        "/programs", status_code=201, responses={200: {"description": "the same programme existed"}, 409: {}}
    )
    async def create_program(program: model.Program, _: Admin, response: Response) -> dict[str, Any]:
        problem = model.competency_error(program.competency, allowed, ("body", "competency"))
        if problem:
            raise HTTPException(422, [problem])
        try:
            created = await catalogue.create(stores.programs, program)
        except catalogue.ProgramExistsError:
            raise HTTPException(409, "another programme has this program_id; change it with PATCH") from None
        if not created:
            response.status_code = 200
        return await shown(program.program_id)

    @router.get("/programs")
    async def list_programs(
        competency: Competency | None = None,
        method: events.Method | None = None,
        upcoming: Annotated[bool, Query(description="only programmes that have not started")] = False,
    ) -> list[dict[str, Any]]:
        after = dt.datetime.now(dt.UTC) if upcoming else None
        found = await catalogue.listing(
            stores.programs, competency=competency, method=method, starts_after=after
        )
        return [
            views.program(
                d, default_timezone=settings.default_timezone, minutes_per_jp=settings.minutes_per_jp
            )
            for d in found
        ]

    @router.get("/programs/{program_id}", responses={404: {}})
    async def get_program(program_id: Identifier) -> dict[str, Any]:
        return await shown(program_id)

    @router.patch(
        "/programs/{program_id}", responses={404: {}, 409: {"description": "capacity below seats taken"}}
    )
    async def patch_program(program_id: Identifier, patch: model.ProgramPatch, _: Admin) -> dict[str, Any]:
        if patch.competency is not None and (
            problem := model.competency_error(patch.competency, allowed, ("body", "competency"))
        ):
            raise HTTPException(422, [problem])
        try:
            await catalogue.patch(stores.programs, program_id, patch)
        except catalogue.UnknownProgramError:
            raise HTTPException(404, "no such programme") from None
        except ValidationError as error:
            raise HTTPException(422, catalogue.validation_error(error)) from None
        except catalogue.CapacityError:
            raise HTTPException(409, "capacity cannot go below the seats already taken") from None
        return await shown(program_id)

    return router


def _enrolments(auth: web.Auth, stores: handlers.Stores) -> APIRouter:
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
    async def enrol(
        program_id: Identifier, enrolment: model.Enrolment, _: Enroller, response: Response
    ) -> dict[str, str]:
        try:
            fresh = await handlers.enrol(program_id, enrolment.nip, enrolment.unit_id, stores=stores)
        except catalogue.UnknownProgramError:
            raise HTTPException(404, "no such programme") from None
        except catalogue.ProgramFullError:
            raise HTTPException(409, "the programme is full") from None
        if not fresh:
            response.status_code = 200
        return {"program_id": program_id, "nip": enrolment.nip, "status": "enrolled"}

    @router.delete("/programs/{program_id}/enrolments/{nip}", responses={404: {}})
    async def withdraw(program_id: Identifier, nip: Nip, _: Enroller) -> dict[str, str]:
        if not await handlers.withdraw(program_id, nip, stores=stores):
            raise HTTPException(404, "no such enrolment")
        return {"program_id": program_id, "nip": nip, "status": "withdrawn"}

    @router.get("/programs/{program_id}/enrolments", responses={404: {}})
    async def enrolled(program_id: Identifier, _: Reader) -> dict[str, Any]:
        holders = await catalogue.seat_holders(stores.programs, program_id)
        if holders is None:
            raise HTTPException(404, "no such programme")
        return {"program_id": program_id, "enrolled": holders}

    return router
