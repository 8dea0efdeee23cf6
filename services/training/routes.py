"""Training HTTP routes: completions from integrators and a person's trainings."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.training import handlers
from shared import apikeys, envelope, events, web
from shared.aggregates import Aggregates
from shared.fields import Nip


def build_routes(*, auth: web.Auth, people: Aggregates) -> list[APIRouter]:
    async def accept(event: envelope.CloudEvent[events.Event]) -> bool:
        return await handlers.record_completion(event, people=people)  # type: ignore[arg-type]

    router = APIRouter(tags=["training"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.get("/asn/{nip}/trainings")
    async def trainings(nip: Nip, _: Reader) -> dict[str, Any]:
        doc = await people.get(nip) or {}
        completed = sorted(doc.get("completions", {}).values(), key=lambda c: c["completed_at"])
        return {"nip": nip, "completed": completed}

    return [web.event_intake(auth, [events.TrainingCompleted], accept), router]
