"""Training HTTP routes: catalogue, enrolments, project groups, completions and a person's records."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException

from services.training import handlers, model, xapi_routes
from shared import apikeys, envelope, events, web
from shared.aggregates import Change
from shared.fields import Identifier, Nip
from shared.storage import Document


def program_view(doc: Document) -> dict[str, Any]:
    view = {k: v for k, v in doc.items() if k in model.ProgramFields.model_fields}
    return {"program_id": doc["_id"], **view, "enrolled": len(doc.get("seats", {}))}


def build_routes(*, auth: web.Auth, stores: handlers.Stores) -> list[APIRouter]:  # noqa: C901 - a route table
    async def accept(event: envelope.CloudEvent[events.Event]) -> bool:
        return await handlers.record_completion(event, stores=stores)  # type: ignore[arg-type]

    router = APIRouter(tags=["training"])
    Admin = Annotated[apikeys.ApiKey, Depends(auth.require("admin"))]
    Enroller = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "enrolments"))]

    async def program_or_404(program_id: str) -> Document:
        doc = await stores.programs.get(program_id)
        if doc is None:
            raise HTTPException(404, "no such programme")
        return doc

    @router.post("/programs", status_code=201, responses={409: {"description": "exists"}})
    async def create_program(program: model.Program, _: Admin) -> dict[str, Any]:
        def create(doc: Document) -> Change:
            if doc:
                raise HTTPException(409, "programme exists; use PATCH")
            return Change(set=program.model_dump(exclude={"program_id"}))

        await stores.programs.apply(program.program_id, None, create)
        return program_view(await program_or_404(program.program_id))

    @router.get("/programs")
    async def list_programs(competency: str | None = None) -> list[dict[str, Any]]:
        query = {"competency": competency} if competency else {}
        return [
            program_view(doc)
            async for doc in stores.programs.collection.find(query, {"inbox": 0, "outbox": 0})
        ]

    @router.get("/programs/{program_id}")
    async def get_program(program_id: Identifier) -> dict[str, Any]:
        return program_view(await program_or_404(program_id))

    @router.patch("/programs/{program_id}")
    async def patch_program(program_id: Identifier, patch: model.ProgramPatch, _: Admin) -> dict[str, Any]:
        await program_or_404(program_id)
        changes = patch.model_dump(exclude_none=True)
        await stores.programs.apply(program_id, None, lambda _: Change(set=changes))
        return program_view(await program_or_404(program_id))

    @router.post(
        "/programs/{program_id}/enrolments",
        status_code=201,
        responses={404: {}, 409: {"description": "full"}},
    )
    async def enrol(program_id: Identifier, enrolment: model.Enrolment, _: Enroller) -> dict[str, str]:
        try:
            status = await handlers.enrol(program_id, enrolment.nip, enrolment.unit_id, stores=stores)
        except KeyError:
            raise HTTPException(404, "no such programme") from None
        except handlers.ProgramFullError:
            raise HTTPException(409, "the programme is full") from None
        return {"program_id": program_id, "status": status}

    @router.delete("/programs/{program_id}/enrolments/{nip}")
    async def withdraw(program_id: Identifier, nip: Nip, _: Enroller) -> dict[str, str]:
        await program_or_404(program_id)
        await handlers.withdraw(program_id, nip, stores=stores)
        return {"program_id": program_id, "status": "withdrawn"}

    return [
        web.event_intake(auth, [events.TrainingCompleted], accept),
        router,
        _people_routes(auth, stores, program_or_404),
        xapi_routes.build(auth=auth, stores=stores),
    ]


def _people_routes(auth: web.Auth, stores: handlers.Stores, program_or_404: Any) -> APIRouter:
    """Project groups and a person's records."""
    router = APIRouter(tags=["training"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]
    Grouper = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "groups"))]

    @router.post("/groups", status_code=201, responses={404: {}, 409: {}, 422: {}})
    async def create_group(group: model.ProjectGroup, _: Grouper) -> dict[str, Any]:
        program = await program_or_404(group.program_id)
        if program["method"] != "project_based":
            raise HTTPException(422, "project groups belong to a project_based programme")
        fields = group.model_dump(exclude={"group_id"})
        await stores.groups.apply(group.group_id, None, lambda doc: None if doc else Change(set=fields))
        return {k: v for k, v in (await stores.groups.get(group.group_id) or {}).items() if k != "version"}

    @router.post("/groups/{group_id}/assessment", status_code=202, responses={404: {}})
    async def assess(group_id: Identifier, assessment: model.Assessment, _: Grouper) -> dict[str, Any]:
        group = await stores.groups.get(group_id)
        if group is None:
            raise HTTPException(404, "no such group")
        program = await program_or_404(group["program_id"])
        ids = await handlers.assess_group(group, program, assessment, stores=stores)
        return {"group_id": group_id, "completions": ids}

    @router.get("/asn/{nip}/trainings")
    async def trainings(nip: Nip, _: Reader) -> dict[str, Any]:
        doc = await stores.people.get(nip) or {}
        completed = sorted(doc.get("completions", {}).values(), key=lambda c: c["completed_at"])
        by_year: dict[str, dict[str, int]] = {}
        for c in completed:
            year = by_year.setdefault(c["completed_at"][:4], {"completed": 0, "jp": 0})
            year["completed"] += 1
            year["jp"] += c["jp"]
        enrolled = [e for e in doc.get("enrolments", {}).values() if e["status"] == "enrolled"]
        return {"nip": nip, "enrolled": enrolled, "completed": completed, "per_year": by_year}

    @router.get("/asn/{nip}/recommendations")
    async def recommendations(nip: Nip, _: Reader) -> dict[str, Any]:
        doc = await stores.people.get(nip) or {}
        return {"nip": nip, "recommendations": list(doc.get("recommendations", {}).values())}

    return router
