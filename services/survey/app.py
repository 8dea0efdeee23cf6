"""Composition root of the survey service."""

from fastapi import FastAPI

from services.survey import forums, routes
from services.survey.settings import SurveySettings
from shared import events
from shared.runtime import Runtime


def create_app(settings: SurveySettings) -> FastAPI:
    runtime = Runtime("survey", settings)
    runtime.produces += [events.SurveySubmitted, events.FeedbackReceived]
    responses = runtime.aggregates("responses")
    feedback = runtime.aggregates("feedback")
    summaries = runtime.aggregates("summaries", keep_ids=True)  # per period; counts resent posts once
    routers = routes.build_routes(
        auth=runtime.auth, responses=responses, feedback=feedback, summaries=summaries, settings=settings
    )
    forum_docs = runtime.aggregates("forums")
    routers.append(forums.build(runtime.auth, forums=forum_docs, totals=summaries))
    return runtime.app(title="Mutu survey", routers=routers)
