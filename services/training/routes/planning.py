"""Unmet demand: `GET /planning?period=` (reader), open recommendations against upcoming seats."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.training.handlers import planning
from services.training.model.planning import Plan
from services.training.repository import Repositories
from services.training.settings import TrainingSettings
from shared import web
from shared.web import apikeys

PERIOD = r"^20\d\d(-S[12]|-Q[1-4])?$"


def build(*, auth: web.Auth, repos: Repositories, settings: TrainingSettings) -> APIRouter:
    router = APIRouter(tags=["planning"])
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.get("/planning")
    async def plan(
        _: Reader,
        period: Annotated[
            str | None,
            Query(
                pattern=PERIOD,
                description="YYYY, YYYY-Sn or YYYY-Qn in the programme calendar (a later one too: "
                "planning looks ahead); default the current quarter",
            ),
        ] = None,
    ) -> Plan:
        """Per competency: people and units waiting, upcoming programmes' free seats, and the gap.

        Waiting: open recommendations. Programmes: those still to start, in the period or later.
        Demand without any programme comes first, then the largest gap.
        """
        now = dt.datetime.now(dt.UTC)
        return await planning.plan(
            period or settings.calendar.quarter_of(now),
            repos=repos,
            calendar=settings.calendar,
            default_timezone=settings.default_timezone,
            now=now,
        )

    return router
