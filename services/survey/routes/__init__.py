"""Survey HTTP routes: the kiosk and its form pages, forums, summaries, and `POST /events`."""

from fastapi import APIRouter

from services.survey import handlers
from services.survey.model import KioskResponse
from services.survey.repository import (
    EventClaims,
    FeedbackLog,
    FeedbackTallies,
    Forums,
    Responses,
    ResponseTallies,
    Tickets,
)
from services.survey.routes import form, kiosk, summaries
from services.survey.routes import forums as forum_routes
from services.survey.routes import tickets as ticket_routes
from services.survey.settings import SurveySettings
from shared import web
from shared.contract import envelope, events
from shared.contract.calendar import Clock, utc_now
from shared.contract.topics import Topics
from shared.contract.units import Units
from shared.web import ratelimit


def build_routes(
    *,
    auth: web.Auth,
    units: Units,
    topics: Topics,
    settings: SurveySettings,
    responses: Responses,
    feedback: FeedbackLog,
    forums: Forums,
    tallies: ResponseTallies,
    totals: FeedbackTallies,
    tickets: Tickets,
    claims: EventClaims,
    clock: Clock = utc_now,
) -> list[APIRouter]:
    async def record(event: envelope.CloudEvent[events.SurveySubmitted], comment: str | None) -> bool:
        return await handlers.record_response(
            event,
            comment,
            offered=settings.service_types_for,
            responses=responses,
            tallies=tallies,
            claims=claims,
        )

    async def record_submitted(event: envelope.CloudEvent[events.SurveySubmitted]) -> bool:
        return await handlers.accept_submitted(event, record=record, calendar=settings.calendar, clock=clock)

    async def submit(submission: KioskResponse) -> str:
        return await handlers.submit_response(
            submission,
            record=record,
            responses=responses,
            tickets=tickets,
            units=units,
            calendar=settings.calendar,
            clock=clock,
        )

    async def record_feedback(event: envelope.CloudEvent[events.FeedbackReceived]) -> bool:
        topics.require(event.data.topic_code, ("body", "data", "topic_code"))
        return await handlers.record_feedback(event, feedback=feedback, totals=totals, claims=claims)

    # What POST /events takes (after its unit check), and the handler of each type.
    intake = (
        web.Intake(units)
        .on(events.SurveySubmitted, record_submitted)
        .on(events.FeedbackReceived, record_feedback)
    )
    limiter = ratelimit.TokenBuckets(rate=settings.responses_rate_per_second, burst=settings.responses_burst)
    return [
        kiosk.build(submit, limiter=limiter, max_body_bytes=settings.responses_max_body_bytes),
        form.build(submit, limiter=limiter, settings=settings, units=units),
        form.build_ticket_form(submit, limiter=limiter, settings=settings, tickets=tickets, clock=clock),
        ticket_routes.build(auth, settings=settings, units=units, tickets=tickets, clock=clock),
        summaries.build(auth, units=units, tallies=tallies, settings=settings),
        web.event_intake(auth, intake),
        forum_routes.build(
            auth, units=units, topics=topics, calendar=settings.calendar, forums=forums, totals=totals
        ),
    ]
