"""Service tickets: an integrator (scope `tickets`) issues one per service; its answer names the officer."""

import datetime as dt

from fastapi import APIRouter, Depends, Request

from services.survey import handlers
from services.survey.model import IssuedTicket, TicketRequest
from services.survey.repository import Tickets
from services.survey.settings import SurveySettings
from shared import web
from shared.contract.calendar import Clock
from shared.contract.units import Units


def build(
    auth: web.Auth, *, settings: SurveySettings, units: Units, tickets: Tickets, clock: Clock
) -> APIRouter:
    router = APIRouter()

    @router.post("/tickets", status_code=201, dependencies=[Depends(auth.require("integrator", "tickets"))])
    async def post_ticket(request: Request, ticket: TicketRequest) -> IssuedTicket:
        """A single-use ticket: `url` is the form bound to it (`/t/{ticket}`), valid TICKET_TTL_DAYS."""
        return await handlers.issue_ticket(
            ticket,
            base_url=settings.public_url or str(request.base_url),
            tickets=tickets,
            units=units,
            offered=settings.service_types_for,
            ttl=dt.timedelta(days=settings.ticket_ttl_days),
            clock=clock,
        )

    return router
