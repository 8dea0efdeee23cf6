"""Survey HTTP routes: responses and feedback from integrators."""

from fastapi import APIRouter

from services.survey import handlers
from shared import envelope, events, web
from shared.aggregates import Aggregates


def build_routes(*, auth: web.Auth, responses: Aggregates, feedback: Aggregates) -> list[APIRouter]:
    async def accept(event: envelope.CloudEvent[events.Event]) -> bool:
        if isinstance(event.data, events.SurveySubmitted):
            return await handlers.record_response(event, responses=responses)  # type: ignore[arg-type]
        return await handlers.record_feedback(event, feedback=feedback)  # type: ignore[arg-type]

    return [web.event_intake(auth, [events.SurveySubmitted, events.FeedbackReceived], accept)]
