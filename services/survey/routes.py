"""Survey HTTP routes: responses and feedback from integrators."""

from fastapi import APIRouter

from services.survey import handlers, kiosk
from services.survey.settings import SurveySettings
from shared import envelope, events, ratelimit, web
from shared.aggregates import Aggregates


def build_routes(
    *, auth: web.Auth, responses: Aggregates, feedback: Aggregates, settings: SurveySettings
) -> list[APIRouter]:
    async def accept(event: envelope.CloudEvent[events.Event]) -> bool:
        if isinstance(event.data, events.SurveySubmitted):
            return await handlers.record_response(event, responses=responses)  # type: ignore[arg-type]
        return await handlers.record_feedback(event, feedback=feedback)  # type: ignore[arg-type]

    async def record(event: envelope.CloudEvent[events.SurveySubmitted], comment: str | None) -> bool:
        return await handlers.record_response(event, responses=responses, comment=comment)

    limiter = ratelimit.TokenBuckets(rate=settings.responses_rate_per_second, burst=settings.responses_burst)
    public = kiosk.build(record, limiter=limiter, max_body_bytes=settings.responses_max_body_bytes)
    return [public, web.event_intake(auth, [events.SurveySubmitted, events.FeedbackReceived], accept)]
