"""Composition root of the survey service."""

from fastapi import FastAPI

from services.survey import forums, routes
from services.survey.settings import SurveySettings
from shared import events
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def create_app(settings: SurveySettings) -> FastAPI:
    runtime = Runtime("survey", settings)
    runtime.produces += [events.SurveySubmitted, events.FeedbackReceived]
    responses = Aggregates(runtime.store.collection("responses"), runtime.relay)
    feedback = Aggregates(runtime.store.collection("feedback"), runtime.relay)
    summaries = Aggregates(runtime.store.collection("summaries"), runtime.relay)
    routers = routes.build_routes(
        auth=runtime.auth, responses=responses, feedback=feedback, summaries=summaries, settings=settings
    )
    forum_docs = Aggregates(runtime.store.collection("forums"), runtime.relay)
    routers.append(forums.build(runtime.auth, forums=forum_docs, totals=summaries))
    return runtime.app(title="Mutu survey", routers=routers)
