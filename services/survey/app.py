"""Composition root of the survey service."""

from fastapi import FastAPI

from services.survey import model, routes, subscribers
from services.survey.repository import (
    MongoEventClaims,
    MongoFeedbackLog,
    MongoFeedbackTallies,
    MongoForums,
    MongoResponses,
    MongoResponseTallies,
    MongoTickets,
)
from services.survey.settings import SurveySettings
from shared.runtime import Runtime


def create_app(settings: SurveySettings) -> FastAPI:
    runtime = Runtime("survey", settings)
    runtime.produces += model.PUBLISHES
    responses = MongoResponses(runtime.aggregates("responses"))
    feedback = MongoFeedbackLog(runtime.aggregates("feedback"))
    # response tallies and feedback tallies share it; per period, it keeps the ids it counted for
    # the period (a resent response reaches it over HTTP), not only INBOX_RETENTION_DAYS
    summaries = runtime.aggregates("summaries", keep_ids=True)
    tallies, totals = MongoResponseTallies(summaries), MongoFeedbackTallies(summaries)
    forums = MongoForums(runtime.aggregates("forums"))
    tickets = MongoTickets(runtime.aggregates("tickets"))
    subscribers.subscribe(runtime)
    routers = routes.build_routes(
        auth=runtime.auth,
        units=runtime.units,
        topics=runtime.topics,
        settings=settings,
        responses=responses,
        feedback=feedback,
        forums=forums,
        tallies=tallies,
        totals=totals,
        tickets=tickets,
        claims=MongoEventClaims(runtime.aggregates("event_ids")),
    )
    return runtime.app(title="Mutu survey", routers=routers)
