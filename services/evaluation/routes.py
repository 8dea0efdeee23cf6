"""Evaluation HTTP routes: appraisals from e-Kinerja and a person's profile."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.evaluation import handlers
from shared import apikeys, envelope, events, web
from shared.aggregates import Aggregates
from shared.fields import Nip


def build_routes(*, auth: web.Auth, people: Aggregates) -> list[APIRouter]:
    async def accept(event: envelope.CloudEvent[events.Event]) -> bool:
        return await handlers.record_appraisal(event, people=people)  # type: ignore[arg-type]

    router = APIRouter(tags=["evaluation"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.get("/asn/{nip}/profile")
    async def profile(nip: Nip, _: Reader) -> dict[str, Any]:
        doc = await people.get(nip) or {}
        return {
            "nip": nip,
            "jp": doc.get("jp", {}),
            "trainings": list(doc.get("trainings", {}).values()),
            "appraisals": list(doc.get("appraisals", {}).values()),
            "firings": list(doc.get("firings", {}).values()),
        }

    return [web.event_intake(auth, [events.PerformanceAppraised], accept), router]
