"""Public survey pages: the SKM form of a unit as plain HTML (GET/POST /s/{unit_id}) and its QR code."""

import io
import math
import re
import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from services.survey import handlers, skm
from services.survey.model import (
    KioskResponse,
    Ticket,
    TicketExpiredError,
    TicketUnknownError,
    TicketUsedError,
)
from services.survey.repository import Tickets
from services.survey.routes import texts
from services.survey.settings import SurveySettings
from shared.contract.calendar import Clock
from shared.contract.units import Units
from shared.errors import NotFoundError
from shared.web import forms, ratelimit

UNIT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ELEMENT_CODES = tuple(code for code, *_ in skm.ELEMENTS)
PROFILE = ("age_band", "sex", "education", "occupation")
UnitPath = Annotated[str, PathParam(pattern=UNIT.pattern)]
TICKET = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# The page of each ticket error: its heading (texts.UI) and status.
TICKET_PAGES: dict[type[Exception], tuple[str, int]] = {
    TicketUnknownError: ("ticket_unknown", 404),
    TicketExpiredError: ("ticket_expired", 410),
    TicketUsedError: ("ticket_used", 409),
}
MAX_ANSWER_DIGITS = 2
templates = Jinja2Templates(directory=Path(__file__).parents[1] / "templates")
templates.env.filters["pair"] = lambda value: (value, value)


def choices(settings: SurveySettings, unit_id: str, lang: str) -> dict[str, Any]:
    """Every closed list the form offers; the one place that reads the configured lists."""
    return {
        "service_types": settings.service_types_for(unit_id),
        "occupations": texts.occupations(lang),
        "age_bands": skm.PROFILE_FIELDS["age_band"],
        "educations": skm.PROFILE_FIELDS["education"],
    }


def _answer(value: str) -> int | str:
    return int(value) if value.isdecimal() and len(value) <= MAX_ANSWER_DIGITS else value


def parse(
    fields: dict[str, str],
    unit_id: str,
    settings: SurveySettings,
    words: dict[str, str],
    ticket: str | None = None,
) -> KioskResponse | dict[str, str]:
    """The posted form as a kiosk response, or {form field: message} of what is wrong with it.

    With a ticket, unit, service type, channel and officer are the ticket's: the form posts none.
    """
    profile = {name: value for name in PROFILE if (value := fields.get(name))}
    errors: dict[str, str] = {}
    if ticket is None and fields.get("service_type") not in settings.service_types_for(unit_id):
        errors["service_type"] = words["missing"]
    if profile.get("occupation", skm.OCCUPATIONS[0]) not in skm.OCCUPATIONS:
        errors["occupation"] = words["invalid"]
    where = (
        {"ticket": ticket}
        if ticket is not None
        else {
            "unit_id": unit_id,
            "service_type": fields.get("service_type", ""),
            "channel": fields.get("channel", "online"),
        }
    )
    body = where | {
        "response_id": fields.get("response_id") or uuid.uuid4().hex,
        "answers": {code: _answer(v) for code in ELEMENT_CODES if (v := fields.get(code))},
        "respondent": profile or None,
        "comment": fields.get("comment", "").strip() or None,
    }
    try:
        submitted = KioskResponse.model_validate(body)
    except ValidationError as error:
        return field_errors(error, words) | errors
    return errors or submitted


def field_errors(error: ValidationError, words: dict[str, str]) -> dict[str, str]:
    """Pydantic errors as {form field: message}, in the page's language, never echoing input."""
    found: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        loc = [str(part) for part in item["loc"]]
        name = loc[1] if loc[0] in {"answers", "respondent"} and len(loc) > 1 else loc[0]
        message = words["missing"] if item["type"] == "missing" else words["invalid"]
        found.setdefault(name, words["too_long"] if name == "comment" else message)
    return found


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = context["lang"]
    context |= {"t": texts.UI[lang], "other": "en" if lang == "id" else "id"}
    return templates.TemplateResponse(request, name, context, status_code=status)


def message(request: Request, lang: str, heading: str, status: int = 200, **context: Any) -> HTMLResponse:
    context = {"unit_id": None, "text": None} | context
    return page(request, "message.html", status, lang=lang, heading=heading, **context)


def form_page(
    request: Request,
    settings: SurveySettings,
    unit_id: str,
    lang: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    ticket: tuple[str, Ticket] | None = None,
) -> HTMLResponse:
    """The questionnaire; after a refused post, with the posted values and the field errors (422).

    Bound to a ticket (code, ticket), it shows the ticket's service and officer and posts to `/t/{code}`.
    """
    values = dict(values or {})
    if ticket is not None:
        values |= {"channel": ticket[1].channel or "online", "service_type": ticket[1].service_type or ""}
    channel = values.get("channel") or request.query_params.get("channel", "online")
    values["response_id"] = values.get("response_id") or uuid.uuid4().hex  # a double submit is one answer
    values["channel"] = channel if channel in {"online", "counter"} else "online"
    shown = texts.elements(lang)
    words = texts.UI[lang]
    labels = {e["code"]: f"{i}. {e['name']}" for i, e in enumerate(shown, 1)}
    labels |= {name: words[name] for name in (*PROFILE, "service_type", "comment")}
    context = {
        "unit_id": unit_id,
        "elements": shown,
        "labels": labels,
        "values": values,
        "errors": errors or {},
        "action": f"/t/{ticket[0]}" if ticket else f"/s/{unit_id}",
        "ticket": ticket[1] if ticket else None,
    }
    status = 422 if errors else 200
    return page(request, "form.html", status, lang=lang, **context, **choices(settings, unit_id, lang))


def limited(request: Request, lang: str, unit_id: str, wait: float) -> HTMLResponse:
    """429: the same token buckets as POST /responses are empty for this client."""
    seconds = math.ceil(wait)
    text = texts.UI[lang]["limited_text"].format(seconds=seconds)
    answer = message(request, lang, "limited", 429, unit_id=unit_id, text=text)
    answer.headers["Retry-After"] = str(seconds)
    return answer


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=4, title=f"SKM: {url}")
    return buffer.getvalue()


def ticket_message(request: Request, lang: str, error: Exception) -> HTMLResponse:
    """The page of an unknown (404), expired (410) or used (409) ticket."""
    heading, status = TICKET_PAGES[type(error)]
    return message(request, lang, heading, status, text=texts.UI[lang][f"{heading}_text"])


def build(
    submit: handlers.Submit,
    *,
    limiter: ratelimit.TokenBuckets,
    settings: SurveySettings,
    units: Units,
) -> APIRouter:
    router = APIRouter(tags=["pages"], include_in_schema=False)

    @router.get("/s/{unit_id}", response_class=HTMLResponse)
    async def show_form(request: Request, unit_id: str, lang: str | None = None) -> HTMLResponse:
        lang = texts.language(lang)
        if unit_id not in units:
            return message(request, lang, "not_found", 404)
        return form_page(request, settings, unit_id, lang)

    @router.post("/s/{unit_id}", response_class=HTMLResponse)
    async def post_form(request: Request, unit_id: str) -> Response:
        fields = await forms.read_form(request, settings.responses_max_body_bytes)
        lang = texts.language(fields.get("lang"))
        if unit_id not in units:
            return message(request, lang, "not_found", 422 if UNIT.match(unit_id) else 404)
        wait = limiter.take(request.client.host if request.client else "unknown")
        if wait > 0:
            return limited(request, lang, unit_id, wait)
        submitted = parse(fields, unit_id, settings, texts.UI[lang])
        if isinstance(submitted, dict):
            return form_page(request, settings, unit_id, lang, values=fields, errors=submitted)
        await submit(submitted)
        query = urlencode({"lang": lang, "channel": submitted.channel or "online"})
        return RedirectResponse(f"/s/{unit_id}/thanks?{query}", status_code=303)

    @router.get("/s/{unit_id}/thanks", response_class=HTMLResponse)
    async def thanks(request: Request, unit_id: UnitPath, lang: str | None = None) -> HTMLResponse:
        lang = texts.language(lang)
        channel = "counter" if request.query_params.get("channel") == "counter" else "online"
        back = f"/s/{unit_id}?" + urlencode({"lang": lang, "channel": channel})
        text = texts.UI[lang]["thanks_text"]
        return message(request, lang, "thanks", unit_id=unit_id, text=text, back=back, back_label="again")

    @router.get("/units/{unit_id}/qr.svg")
    async def qr_code(request: Request, unit_id: UnitPath) -> Response:
        """The address of the unit's form as a QR code (SVG), for the counter and queue tickets."""
        if unit_id not in units:
            raise NotFoundError("unknown unit: see GET /units")
        base = (settings.public_url or str(request.base_url)).rstrip("/")
        svg = qr_svg(f"{base}/s/{unit_id}")
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})

    return router


def build_ticket_form(
    submit: handlers.Submit,
    *,
    limiter: ratelimit.TokenBuckets,
    settings: SurveySettings,
    tickets: Tickets,
    clock: Clock,
) -> APIRouter:
    """`/t/{ticket}`: the form bound to a service ticket, then the unit's thank-you page."""
    router = APIRouter(tags=["pages"], include_in_schema=False)

    @router.get("/t/{ticket}", response_class=HTMLResponse)
    async def show_ticket_form(request: Request, ticket: str, lang: str | None = None) -> HTMLResponse:
        """The form bound to a service ticket: its unit, service and officer are shown, not asked."""
        code = ticket
        lang = texts.language(lang)
        if not TICKET.match(code):
            return ticket_message(request, lang, TicketUnknownError())
        try:
            bound = await handlers.open_ticket(code, tickets=tickets, clock=clock)
        except (TicketUnknownError, TicketExpiredError, TicketUsedError) as error:
            return ticket_message(request, lang, error)
        return form_page(request, settings, bound.unit_id or "", lang, ticket=(code, bound))

    @router.post("/t/{ticket}", response_class=HTMLResponse)
    async def post_ticket_form(request: Request, ticket: str) -> Response:
        code = ticket
        fields = await forms.read_form(request, settings.responses_max_body_bytes)
        lang = texts.language(fields.get("lang"))
        if not TICKET.match(code):
            return ticket_message(request, lang, TicketUnknownError())
        try:
            bound = await handlers.open_ticket(
                code, fields.get("response_id", ""), tickets=tickets, clock=clock
            )
        except (TicketUnknownError, TicketExpiredError, TicketUsedError) as error:
            return ticket_message(request, lang, error)
        unit_id = bound.unit_id or ""
        wait = limiter.take(request.client.host if request.client else "unknown")
        if wait > 0:
            return limited(request, lang, unit_id, wait)
        submitted = parse(fields, unit_id, settings, texts.UI[lang], ticket=code)
        if isinstance(submitted, dict):
            return form_page(
                request, settings, unit_id, lang, values=fields, errors=submitted, ticket=(code, bound)
            )
        try:
            await submit(submitted)
        except (TicketUnknownError, TicketExpiredError, TicketUsedError) as error:
            return ticket_message(request, lang, error)
        query = urlencode({"lang": lang, "channel": bound.channel or "online"})
        return RedirectResponse(f"/s/{unit_id}/thanks?{query}", status_code=303)

    return router
