"""Survey HTTP routes: responses and feedback from integrators."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from services.survey import choices, form, forums, handlers, kiosk, summary
from services.survey.settings import SurveySettings
from shared import envelope, events, ratelimit, web
from shared.aggregates import Aggregates
from shared.units import Units


def build_routes(
    *,
    auth: web.Auth,
    units: Units,
    responses: Aggregates,
    feedback: Aggregates,
    summaries: Aggregates,
    settings: SurveySettings,
) -> list[APIRouter]:
    async def submitted(event: envelope.CloudEvent[events.SurveySubmitted]) -> bool:
        return await record(event, None)

    async def feedback_received(event: envelope.CloudEvent[events.FeedbackReceived]) -> bool:
        recorded = await handlers.record_feedback(event, feedback=feedback)
        await forums.count(event.data, totals=summaries)
        return recorded

    async def record(event: envelope.CloudEvent[events.SurveySubmitted], comment: str | None) -> bool:
        refused = choices.problems(event.data, settings.service_types_for(event.data.unit_id))
        if refused:
            raise HTTPException(422, refused)
        try:
            recorded = await handlers.record_response(event, responses=responses, comment=comment)
        except handlers.ResponseConflictError as error:
            raise HTTPException(409, str(error)) from None
        stored = await responses.get(event.data.response_id)
        if stored is not None and stored.get("event_id") == event.id:  # count the first-recorded copy only
            await summary.count(event.data, summaries=summaries)
        return recorded

    reader = APIRouter(dependencies=[Depends(auth.require("reader"))])

    @reader.get("/units/{unit_id}/responses/summary")
    async def responses_summary(
        unit_id: str, period: Annotated[str, Query(pattern=r"^20\d\d-Q[1-4]$")]
    ) -> dict[str, Any]:
        population = settings.populations.get(unit_id, settings.default_population)
        return await summary.read(unit_id, period, population, summaries=summaries)

    limiter = ratelimit.TokenBuckets(rate=settings.responses_rate_per_second, burst=settings.responses_burst)
    public = kiosk.build(record, limiter=limiter, max_body_bytes=settings.responses_max_body_bytes)
    pages = form.build(record, limiter=limiter, settings=settings)
    return [
        public,
        pages,
        reader,
        web.event_intake(
            auth,
            web.Intake(units)
            .on(events.SurveySubmitted, submitted)
            .on(events.FeedbackReceived, feedback_received),
        ),
    ]
