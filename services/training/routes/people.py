"""A person's records: trainings per year and retraining recommendations (reader key: personal data)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.training.model import views
from services.training.model.people import Person, Status
from services.training.repository import Repositories
from services.training.settings import TrainingSettings
from shared import web
from shared.contract.fields import Nip
from shared.web import apikeys


def build(*, auth: web.Auth, repos: Repositories, settings: TrainingSettings) -> APIRouter:
    router = APIRouter(tags=["people"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

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
