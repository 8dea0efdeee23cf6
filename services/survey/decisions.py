"""Survey's decisions (pure): record a response or feedback once, open forums, add items, count them."""

import datetime as dt
import hashlib

from services.survey import skm
from services.survey.model import (
    MAX_ITEMS,
    EventClaim,
    EventIdReusedError,
    Feedback,
    FeedbackConflictError,
    FeedbackTally,
    Forum,
    ForumConflictError,
    ForumFullError,
    ForumItem,
    IssuedTwiceError,
    KioskResponse,
    Reason,
    Response,
    ResponseConflictError,
    ResponseTally,
    Ticket,
    TicketExpiredError,
    TicketUnknownError,
    TicketUsedError,
    TopicTally,
)
from shared.contract import envelope, events
from shared.contract.calendar import Calendar
from shared.contract.identifiers import derived_id, field_key
from shared.persistence.state_store import Outcome

KIOSK = "/survey/kiosk"
FORUMS = "/survey/forums"
PROFILE = ("age_band", "sex", "education")


def choice_problems(response: events.SurveySubmitted, service_types: tuple[str, ...]) -> list[Reason]:
    """Field-level reasons (without echoing the input) for values outside the configured lists."""
    found = []
    if response.service_type not in service_types:
        found.append(
            {
                "loc": ["body", "service_type"],
                "msg": f"service_type must be one of the unit's services: {', '.join(service_types)}",
                "type": "enum",
            }
        )
    occupation = response.respondent.occupation if response.respondent else None
    if occupation is not None and occupation not in skm.OCCUPATIONS:
        found.append(
            {
                "loc": ["body", "respondent", "occupation"],
                "msg": f"occupation must be one of {', '.join(skm.OCCUPATIONS)}",
                "type": "enum",
            }
        )
    return found


def kiosk_problems(submission: KioskResponse) -> list[Reason]:
    """Without a ticket: unit, service type and channel are required, and no officer may be named.

    Anonymous answers count for the unit, never for a person: only a ticket names the officer.
    """
    if submission.ticket is not None:
        return []
    found: list[Reason] = [
        {"loc": ["body", name], "msg": "Field required (or answer with a ticket)", "type": "missing"}
        for name in ("unit_id", "service_type", "channel")
        if getattr(submission, name) is None
    ]
    if submission.served_by_nip is not None:
        found.append(
            {
                "loc": ["body", "served_by_nip"],
                "msg": "an anonymous answer cannot name an officer: answer with a service ticket",
                "type": "officer_without_ticket",
            }
        )
    return found


def period_problems(period: str, now: dt.datetime, calendar: Calendar) -> list[Reason]:
    """A quarter that has not started in the programme calendar cannot be answered for."""
    if calendar.quarter_start(period) <= now:
        return []
    return [
        {"loc": ["body", "period"], "msg": f"the period {period} has not started", "type": "future_period"}
    ]


def kiosk_submitted(
    submission: KioskResponse, now: dt.datetime, calendar: Calendar, ticket: Ticket | None = None
) -> envelope.CloudEvent[events.SurveySubmitted]:
    """A kiosk or form response as its event; the id derives from response_id, so a resubmit is one.

    Its period defaults to the current quarter in the programme calendar; with a ticket, the unit,
    service type, channel and officer are the ticket's, whatever the answer says.
    """
    fields = submission.model_dump(exclude={"comment", "ticket"}, exclude_none=True)
    if ticket is not None:
        fields |= ticket.model_dump(include={"unit_id", "service_type", "channel", "served_by_nip"})
    data = events.SurveySubmitted.model_validate(
        fields | {"period": submission.period or calendar.quarter_of(now)}
    )
    return envelope.wrap(data, source=KIOSK, event_id=kiosk_event_id(data.response_id), time=now)


def ticket_key(code: str) -> str:
    """Where a ticket is kept: the SHA-256 of its code (the code itself is never stored)."""
    return hashlib.sha256(code.encode()).hexdigest()


def ticket_issued(ticket: Ticket, issuing: Ticket) -> Outcome[Ticket]:
    if ticket.issued:
        raise IssuedTwiceError
    return Outcome(issuing)


def ticket_usable(ticket: Ticket | None, response_id: str, now: dt.datetime) -> Ticket:
    """The ticket an answer may use: known, unexpired, unused (or used by this very answer)."""
    if ticket is None or not ticket.issued:
        raise TicketUnknownError
    if ticket.used_by is not None and ticket.used_by != response_id:
        raise TicketUsedError
    if ticket.expired(now) and ticket.used_by is None:
        raise TicketExpiredError
    return ticket


def ticket_used(ticket: Ticket, response_id: str, now: dt.datetime) -> Outcome[Ticket] | None:
    """Mark the ticket used by `response_id`; the same answer again changes nothing, another is 409."""
    usable = ticket_usable(ticket, response_id, now)
    if usable.used_by == response_id:
        return None
    return Outcome(ticket.model_copy(update={"used_by": response_id, "used_at": now.isoformat()}))


def response_recorded(
    response: Response, submitted: envelope.CloudEvent[events.SurveySubmitted], comment: str | None
) -> Outcome[Response] | None:
    """Keep the first response under its response_id and publish it (the comment stays here).

    The same response again is a duplicate (None); a different one raises ResponseConflictError.
    """
    if response.recorded:
        if not response.holds(submitted.data):
            raise ResponseConflictError
        return None
    kept = submitted.data.model_dump() | {"event_id": submitted.id, "comment": comment}
    return Outcome(Response.model_validate(kept), publish=[submitted])


def kiosk_event_id(response_id: str) -> str:
    """The event id of a kiosk or form response: derived from its response_id (a resubmit is a no-op)."""
    return derived_id("kiosk", response_id)


def event_claimed(claim: EventClaim, subject: str) -> Outcome[EventClaim] | None:
    """An event id names one subject for good: the first claim keeps it; another raises EventIdReusedError."""
    if claim.subject == subject:
        return None
    if claim.subject is not None:
        raise EventIdReusedError
    return Outcome(EventClaim(subject=subject))


def feedback_recorded(
    feedback: Feedback, received: envelope.CloudEvent[events.FeedbackReceived]
) -> Outcome[Feedback] | None:
    """Keep the first FeedbackReceived under its feedback_id and publish it.

    The same item again is a duplicate (None); a different one raises FeedbackConflictError.
    """
    if feedback.recorded:
        if not feedback.holds(received.data):
            raise FeedbackConflictError
        return None
    kept = received.data.model_dump(mode="json") | {"event_id": received.id}
    return Outcome(Feedback.model_validate(kept), publish=[received])


def forum_id_of(unit_id: str, date: dt.date, topic: str) -> str:
    return derived_id("forum", unit_id, date.isoformat(), topic)


FORUM_FIELDS: set[str] = {"forum_id", "unit_id", "date", "topic", "topic_code", "attendees", "attended_by"}


def forum_date_problems(date: dt.date, now: dt.datetime, calendar: Calendar) -> list[Reason]:
    """A forum is recorded once held: a date after today (programme calendar) is refused."""
    if date <= calendar.local(now).date():
        return []
    return [{"loc": ["body", "date"], "msg": "the forum has not been held yet", "type": "future_date"}]


def forum_opened(forum: Forum, opening: Forum) -> Outcome[Forum] | None:
    """A forum is opened once and published as ForumHeld (with who attended); again changes nothing.

    Another forum under the same id (other date, topic or attendance) is a conflict, never dropped.
    """
    if forum.opened:
        if forum.model_dump(include=FORUM_FIELDS) != opening.model_dump(include=FORUM_FIELDS):
            raise ForumConflictError
        return None
    held = events.ForumHeld.model_validate(opening.model_dump(include=FORUM_FIELDS))
    forum_id = opening.forum_id or ""
    return Outcome(
        opening, publish=[envelope.wrap(held, source=FORUMS, event_id=derived_id("forum-held", forum_id))]
    )


def forum_received_at(date: str, now: dt.datetime, calendar: Calendar) -> dt.datetime:
    """When a forum's items count as received: noon of its day (programme calendar), at the latest now.

    So complaints raised at a forum count in the quarter the forum was held, even when typed in later.
    """
    if not date:
        return now
    noon = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(12), tzinfo=calendar.zone)
    return min(noon, now)


def item_received(
    forum_id: str, unit_id: str, item: ForumItem, received_at: dt.datetime
) -> envelope.CloudEvent[events.FeedbackReceived]:
    """The FeedbackReceived an item publishes: its topic (code and summary) and category, never its text."""
    received = events.FeedbackReceived(
        feedback_id=item.feedback_id, forum_id=forum_id, unit_id=unit_id, category=item.category,
        topic=item.topic, topic_code=item.topic_code, received_at=received_at,
    )  # fmt: skip
    return envelope.wrap(received, source=FORUMS, event_id=derived_id("feedback", item.feedback_id))


def item_added(
    forum: Forum, item: ForumItem, received: envelope.CloudEvent[events.FeedbackReceived]
) -> Outcome[Forum]:
    """The item on its forum, published as `received`; a forum holds at most MAX_ITEMS."""
    if forum.items_count >= MAX_ITEMS:
        raise ForumFullError
    items = {**forum.items, field_key(item.feedback_id): item}
    state = forum.model_copy(update={"items": items, "items_count": forum.items_count + 1})
    return Outcome(state, publish=[received])


def _plus(counts: dict[str, int], key: str) -> dict[str, int]:
    return {**counts, key: counts.get(key, 0) + 1}


def response_counted(tally: ResponseTally, response: events.SurveySubmitted) -> Outcome[ResponseTally]:
    """One response added: channel, each element's answer, each profile field (unknown when not given)."""
    answers = dict(tally.answers)
    for code, value in response.answers.model_dump().items():
        answers[code] = _plus(answers.get(code, {}), str(value))
    given = response.respondent.model_dump(exclude_none=True) if response.respondent else {}
    values = {field: given.get(field, "unknown") for field in PROFILE}
    occupation = given.get("occupation", "unknown")  # counted by code only: never free text as a key
    values["occupation"] = occupation if occupation in skm.OCCUPATIONS else "unknown"
    profile = dict(tally.profile)
    for field, value in values.items():
        profile[field] = _plus(profile.get(field, {}), value)
    state = tally.model_copy(
        update={
            "unit_id": response.unit_id,
            "period": response.period,
            "n": tally.n + 1,
            "channel": _plus(tally.channel, response.channel),
            "answers": answers,
            "profile": profile,
        }
    )
    return Outcome(state)


def feedback_counted(tally: FeedbackTally, item: events.FeedbackReceived) -> Outcome[FeedbackTally]:
    """One item added to its unit's feedback: total, category, and the topic's category."""
    key = field_key(item.topic)
    topic = tally.topics.get(key) or TopicTally(topic=item.topic)
    topic = topic.model_copy(update={"topic": item.topic, item.category: getattr(topic, item.category) + 1})
    state = tally.model_copy(
        update={
            "unit_id": item.unit_id,
            "n": tally.n + 1,
            "categories": _plus(tally.categories, item.category),
            "topics": {**tally.topics, key: topic},
        }
    )
    return Outcome(state)
