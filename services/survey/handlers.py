"""Survey use cases as async verbs: record responses and feedback, run forums, summarise both."""

import datetime as dt
import logging
import secrets
from collections.abc import Awaitable, Callable

from services.survey import decisions, views
from services.survey.model import (
    FeedbackConflictError,
    Forum,
    ForumItem,
    IssuedTicket,
    KioskResponse,
    NoSuchForumError,
    Offered,
    ResponseConflictError,
    Ticket,
    TicketRequest,
    UnlistedChoiceError,
)
from services.survey.repository import (
    EventClaims,
    FeedbackLog,
    FeedbackTallies,
    Forums,
    Responses,
    ResponseTallies,
    Tickets,
)
from shared import errors
from shared.contract import envelope, events
from shared.contract.calendar import Calendar, Clock
from shared.contract.identifiers import derived_id
from shared.contract.units import Units

logger = logging.getLogger(__name__)

# Records one response with its comment: record_response with its adapters bound (see routes).
Record = Callable[[envelope.CloudEvent[events.SurveySubmitted], str | None], Awaitable[bool]]
# Takes one kiosk or form answer: submit_response with its adapters bound (see routes); its id.
Submit = Callable[[KioskResponse], Awaitable[str]]
TICKET_BYTES = 24  # 192 random bits per code
_CALENDAR = Calendar()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def record_response(
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    comment: str | None = None,
    *,
    offered: Offered,
    responses: Responses,
    tallies: ResponseTallies,
    claims: EventClaims,
) -> bool:
    """Keep one response per response_id, publish it once, count it once; False if this event id was seen.

    The same response again (any event id) is a duplicate; a different one under a response_id
    already used raises ResponseConflictError, and one under an event id that names another
    response or feedback item EventIdReusedError: nothing is stored, published or counted. A
    service or occupation outside the configured lists raises UnlistedChoiceError first.
    """
    response = submitted.data
    refused = decisions.choice_problems(response, offered(response.unit_id))
    if refused:
        raise UnlistedChoiceError(refused)
    if submitted.id != decisions.kiosk_event_id(response.response_id):  # names its response by construction
        subject = f"response:{response.response_id}"
        await claims.update(submitted.id, lambda claim: decisions.event_claimed(claim, subject))
    fresh = await responses.update(
        response.response_id,
        lambda kept: decisions.response_recorded(kept, submitted, comment),
        event_id=submitted.id,
    )
    stored = await responses.get(response.response_id)
    if not fresh and stored is not None and not stored.holds(response):
        raise ResponseConflictError  # the same event id again, with other content
    if stored is not None and stored.event_id == submitted.id:  # count the first-recorded copy only
        await tallies.update(
            response.unit_id,
            response.period,
            response.response_id,
            lambda tally: decisions.response_counted(tally, response),
            event_id=derived_id("survey-summary", response.response_id),
        )
    return fresh


async def submit_response(
    submission: KioskResponse,
    *,
    record: Record,
    responses: Responses,
    tickets: Tickets,
    units: Units,
    calendar: Calendar,
    clock: Clock,
) -> str:
    """Record one kiosk or form response (its event id derives from response_id: a resubmit is a no-op).

    Without a ticket the answer is anonymous: it counts for its unit and may not name an officer
    (422). With one, unit, service type, channel and officer come from the ticket, which the answer
    uses up: a ticket another answer used is 409, an unknown or expired one 422. Two answers racing
    for one ticket meet in the ticket's version guard: one uses it, the other gets 409. A known
    unit and a quarter that has started (programme calendar; default: the current one) are required.
    """
    now = clock()
    refused = decisions.kiosk_problems(submission)
    if refused:
        raise errors.InvalidError("the response is invalid", reasons=refused)
    ticket, key = None, ""
    if submission.ticket is not None:
        key = decisions.ticket_key(submission.ticket)
        ticket = decisions.ticket_usable(await tickets.get(key), submission.response_id, now)
    submitted = decisions.kiosk_submitted(submission, now, calendar, ticket)
    response = submitted.data
    units.require(response.unit_id)
    refused = decisions.period_problems(response.period, now, calendar)
    if refused:
        raise errors.InvalidError("the period has not started", reasons=refused)
    if ticket is not None:
        # A response_id holding another response is refused before the ticket is used, not after:
        # the refused answer would otherwise burn the ticket (409 for the citizen's next try too).
        kept = await responses.get(response.response_id)
        if kept is not None and kept.recorded and not kept.holds(response):
            raise ResponseConflictError
        await tickets.update(
            key,
            lambda current: decisions.ticket_used(current, response.response_id, now),
            event_id=derived_id("ticket-used", key, response.response_id),
        )
    await record(submitted, submission.comment)
    return response.response_id


async def accept_submitted(
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    *,
    record: Record,
    calendar: Calendar,
    clock: Clock,
) -> bool:
    """An integrator's SurveySubmitted (trusted, keyed: it may name the officer), if its quarter started."""
    refused = decisions.period_problems(submitted.data.period, clock(), calendar)
    if refused:
        raise errors.InvalidError("the period has not started", reasons=refused)
    return await record(submitted, None)


async def issue_ticket(
    request: TicketRequest,
    *,
    base_url: str,
    tickets: Tickets,
    units: Units,
    offered: Offered,
    ttl: dt.timedelta,
    clock: Clock,
) -> IssuedTicket:
    """A single-use ticket for one service: a random code, kept only as its hash, valid for `ttl`."""
    units.require(request.unit_id)
    services = offered(request.unit_id)
    if request.service_type not in services:
        reason = {
            "loc": ["body", "service_type"],
            "msg": f"service_type must be one of the unit's services: {', '.join(services)}",
            "type": "enum",
        }
        raise UnlistedChoiceError([reason])
    now = clock()
    code = secrets.token_urlsafe(TICKET_BYTES)
    expires_at = now + ttl
    issuing = Ticket.model_validate(
        request.model_dump() | {"issued_at": now.isoformat(), "expires_at": expires_at.isoformat()}
    )
    key = decisions.ticket_key(code)
    await tickets.update(
        key, lambda ticket: decisions.ticket_issued(ticket, issuing), event_id=derived_id("ticket", key)
    )
    return IssuedTicket(ticket=code, url=f"{base_url.rstrip('/')}/t/{code}", expires_at=expires_at)


async def open_ticket(code: str, response_id: str = "", *, tickets: Tickets, clock: Clock) -> Ticket:
    """The ticket a form page shows: known, unexpired, not used (or used by `response_id`), else its error."""
    return decisions.ticket_usable(await tickets.get(decisions.ticket_key(code)), response_id, clock())


async def record_feedback(
    received: envelope.CloudEvent[events.FeedbackReceived],
    *,
    feedback: FeedbackLog,
    totals: FeedbackTallies,
    claims: EventClaims,
) -> bool:
    """Keep and publish an integrator's feedback once per feedback_id, and count it in its unit.

    An event id that names another feedback item or a response raises EventIdReusedError first.
    """
    subject = f"feedback:{received.data.feedback_id}"
    await claims.update(received.id, lambda claim: decisions.event_claimed(claim, subject))
    fresh = await feedback.update(
        received.data.feedback_id,
        lambda kept: decisions.feedback_recorded(kept, received),
        event_id=received.id,
    )
    if not fresh:  # the same event id again: the inbox dropped it before feedback_recorded saw it
        stored = await feedback.get(received.data.feedback_id)
        if stored is not None and not stored.holds(received.data):
            raise FeedbackConflictError
    await count_feedback(received.data, totals=totals)
    return fresh


async def count_feedback(item: events.FeedbackReceived, *, totals: FeedbackTallies) -> None:
    """Add an item to its unit's feedback, once (the inbox id derives from the feedback id).

    Items from forums and FeedbackReceived posted by integrators to `/events` both count.
    """
    await totals.update(
        item.unit_id,
        lambda tally: decisions.feedback_counted(tally, item),
        event_id=derived_id("count", item.feedback_id),
    )


async def open_forum(
    forum_id: str | None,
    date: dt.date,
    unit_id: str,
    topic: str,
    attendees: int,
    *,
    forums: Forums,
    topic_code: str | None = None,
    attended_by: tuple[str, ...] = (),
    calendar: Calendar = _CALENDAR,
) -> str:
    """Open a forum once and publish it as ForumHeld with who attended; the forum's id.

    Its id derives from unit, date and topic unless given. A forum dated after today is refused
    (422): its items would count in today's quarter, its attendance in a quarter not started.
    """
    refused = decisions.forum_date_problems(date, _now(), calendar)
    if refused:
        raise errors.InvalidError("the forum has not been held yet", reasons=refused)
    forum_id = forum_id or decisions.forum_id_of(unit_id, date, topic)
    opening = Forum(
        forum_id=forum_id, date=date.isoformat(), unit_id=unit_id, topic=topic, topic_code=topic_code,
        attendees=attendees, attended_by=attended_by,
    )  # fmt: skip
    # The content is in the id: another forum under this id reaches forum_opened, which refuses it.
    content = opening.model_dump_json(include=decisions.FORUM_FIELDS)
    await forums.update(
        forum_id,
        lambda forum: decisions.forum_opened(forum, opening),
        event_id=derived_id("forum-created", forum_id, content),
    )
    return forum_id


async def add_item(
    forum_id: str,
    item_id: str | None,
    category: events.Category,
    topic: str,
    text: str,
    *,
    forums: Forums,
    totals: FeedbackTallies,
    topic_code: str | None = None,
    calendar: Calendar = _CALENDAR,
) -> str:
    """Keep an item on its forum and publish it as FeedbackReceived (without its text), once; its id.

    It counts as received on the forum's day (so in the forum's quarter), not when it was typed in.
    """
    forum = await forums.get(forum_id)
    if forum is None or forum.unit_id is None:
        raise NoSuchForumError
    feedback_id = item_id or derived_id("forum-item", forum_id, category, topic, text)
    item = ForumItem(
        item_id=item_id, category=category, topic=topic, topic_code=topic_code, text=text,
        feedback_id=feedback_id,
    )  # fmt: skip
    received_at = decisions.forum_received_at(forum.date or "", _now(), calendar)
    received = decisions.item_received(forum_id, forum.unit_id, item, received_at)
    if await forums.update(
        forum_id, lambda current: decisions.item_added(current, item, received), event_id=received.id
    ):
        logger.info("forum item %s published as %s", feedback_id, received.id)
    await count_feedback(received.data, totals=totals)
    return feedback_id


async def summarise_responses(
    unit_id: str, period: str, population: int | None, *, tallies: ResponseTallies
) -> views.ResponsesSummary:
    return views.responses_summary(unit_id, period, await tallies.shards(unit_id, period), population)


async def unit_feedback(unit_id: str, *, totals: FeedbackTallies) -> views.UnitFeedback:
    return views.unit_feedback(unit_id, await totals.get(unit_id))


async def list_forums(unit_id: str | None, *, forums: Forums) -> list[views.ListedForum]:
    return [views.listed_forum(forum) for forum in await forums.listed(unit_id)]
