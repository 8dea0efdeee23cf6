"""Reader routes on the responses: a unit's quarter summed up, with the sample it needs."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.survey import handlers, views
from services.survey.repository import ResponseTallies
from services.survey.settings import SurveySettings
from shared import errors, web
from shared.contract.fields import UnitId
from shared.contract.units import Units


def build(auth: web.Auth, *, units: Units, tallies: ResponseTallies, settings: SurveySettings) -> APIRouter:
    router = APIRouter(dependencies=[Depends(auth.require("reader"))])

    @router.get("/units/{unit_id}/responses/summary")
    async def responses_summary(
        unit_id: UnitId, period: Annotated[str, Query(pattern=r"^20[0-9][0-9]-Q[1-4]$")]
    ) -> views.ResponsesSummary:
        if unit_id not in units:
            raise errors.NotFoundError("unknown unit: see GET /units")
        population = settings.populations.get(unit_id, settings.default_population)
        return await handlers.summarise_responses(unit_id, period, population, tallies=tallies)

    return router
