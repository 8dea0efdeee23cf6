"""Survey's aggregates (responses, feedback, forums, their tallies), its errors and what it publishes."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared import errors
from shared.contract import events
from shared.contract.fields import Comment, Identifier, Nip, Quarter, Text, UnitId
from shared.persistence.state_store import State

# What this service publishes (checked against the code by tests/unit/test_architecture.py).
PUBLISHES: tuple[type[events.Event], ...] = (
    events.SurveySubmitted,
    events.FeedbackReceived,
    events.ForumHeld,
)

MAX_ITEMS = 500  # items one forum holds
Offered = Callable[[str], tuple[str, ...]]  # the services a unit offers (from the settings)
Reason = dict[str, Any]  # a field-level reason {loc, msg, type}; never the input


class ResponseConflictError(errors.ConflictError):
    """The response_id already holds a different response (kiosk and integrators share the ids)."""

    def __init__(self) -> None:
        super().__init__("this response_id already holds a different response")


class FeedbackConflictError(errors.ConflictError):
    """The feedback_id already holds a different feedback item."""

    def __init__(self) -> None:
        super().__init__("this feedback_id already holds a different feedback item")


class EventIdReusedError(errors.ConflictError):
    """The event id already names another response or feedback item (CloudEvents: id and source are unique).

    Downstream, evaluation dedupes on the event id: a second response under the same id would be
    counted here and dropped there, so the two services' figures would disagree for good.
    """

    def __init__(self) -> None:
        super().__init__("this event id already names a different response or feedback item")


class UnlistedChoiceError(errors.InvalidError):
    """A response names a service its unit does not offer, or an occupation off the fixed list."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__("; ".join(reason["msg"] for reason in reasons), reasons=reasons)


class NoSuchForumError(errors.NotFoundError):
    def __init__(self) -> None:
        super().__init__("no such forum")


class ForumConflictError(errors.ConflictError):
    """The forum id already names another forum (a different date, unit, topic or attendance)."""

    def __init__(self) -> None:
        super().__init__("this forum_id already holds a different forum")


class ForumFullError(errors.ConflictError):
    def __init__(self) -> None:
        super().__init__("this forum has too many items")


# A ticket's code as posted: token_urlsafe(24) gives 32 characters; anything else is not a ticket.
TicketCode = Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class KioskResponse(BaseModel):
    """A kiosk or form submission: strictly anonymous, unknown fields (name, phone, e-mail...) refused.

    With a `ticket`, the unit, service type, channel and officer come from the ticket; without one,
    unit, service type and channel are required and no officer may be named (see decisions).
    """

    model_config = ConfigDict(extra="forbid")

    response_id: Identifier
    ticket: TicketCode | None = None
    unit_id: UnitId | None = None
    service_type: Text | None = None
    channel: events.Channel | None = None
    period: Quarter | None = None
    answers: events.Answers
    served_by_nip: Nip | None = None
    respondent: events.Respondent | None = None
    comment: Comment | None = None


class TicketRequest(BaseModel):
    """`POST /tickets`: who served whom, where, with what; the answer made with the ticket names them."""

    model_config = ConfigDict(extra="forbid")

    unit_id: UnitId
    served_by_nip: Nip
    service_type: Text
    channel: events.Channel


class IssuedTicket(BaseModel):
    """The answer to `POST /tickets`: the code (shown once, stored only as a hash), its form, its end."""

    ticket: str
    url: str
    expires_at: dt.datetime


class Ticket(State):
    """A service ticket, keyed by the hash of its code: single use until `expires_at`."""

    unit_id: str | None = None
    served_by_nip: str | None = None
    service_type: str | None = None
    channel: str | None = None
    issued_at: str | None = None  # RFC 3339
    expires_at: str | None = None  # RFC 3339
    used_by: str | None = None  # the response_id that used it
    used_at: str | None = None

    @property
    def issued(self) -> bool:
        return self.unit_id is not None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= dt.datetime.fromisoformat(self.expires_at)


def _reason(msg: str, kind: str, field: str = "ticket") -> Reason:
    return {"loc": ["body", field], "msg": msg, "type": kind}


class TicketUsedError(errors.ConflictError):
    """409: the ticket was used by another answer (one answer per service)."""

    def __init__(self) -> None:
        super().__init__("this ticket was already used: one answer per ticket")


class TicketUnknownError(errors.InvalidError):
    def __init__(self) -> None:
        super().__init__("unknown ticket", reasons=[_reason("unknown ticket", "unknown_ticket")])


class TicketExpiredError(errors.InvalidError):
    def __init__(self) -> None:
        super().__init__("expired ticket", reasons=[_reason("the ticket has expired", "expired_ticket")])


class IssuedTwiceError(errors.ConflictError):
    """A fresh code met a stored ticket: never happens with 192 random bits, refused if it does."""

    def __init__(self) -> None:
        super().__init__("ticket code collision")


def _keeps(state: State, event: events.Event) -> bool:
    """Whether `state` keeps every field of `event` as it came (the event id aside)."""
    kept = state.model_dump(mode="json")
    return all(kept.get(name) == value for name, value in event.model_dump(mode="json").items())


class Response(State):
    """One response per response_id, as first recorded; the comment never leaves the service."""

    response_id: str | None = None
    unit_id: str | None = None
    service_type: str | None = None
    channel: str | None = None
    period: str | None = None
    answers: events.Answers | None = None
    served_by_nip: str | None = None
    respondent: events.Respondent | None = None
    event_id: str | None = None  # the event that recorded it: only that copy is counted
    comment: str | None = None

    @property
    def recorded(self) -> bool:
        return self.response_id is not None

    def holds(self, response: events.SurveySubmitted) -> bool:
        """Whether this is `response` (any event id)."""
        return _keeps(self, response)


class EventClaim(State):
    """What one event id names: `response:<response_id>` or `feedback:<feedback_id>`."""

    subject: str | None = None


class Feedback(State):
    """A FeedbackReceived posted by an integrator, as received (one per feedback_id)."""

    feedback_id: str | None = None
    forum_id: str | None = None
    unit_id: str | None = None
    category: str | None = None
    topic: str | None = None
    topic_code: str | None = None
    received_at: str | None = None  # RFC 3339, as it came
    event_id: str | None = None

    @property
    def recorded(self) -> bool:
        return self.feedback_id is not None

    def holds(self, received: events.FeedbackReceived) -> bool:
        """Whether this is `received` (any event id)."""
        return _keeps(self, received)


class ForumItem(BaseModel):
    """An item raised at a forum; its text stays here (FeedbackReceived carries the topic only)."""

    model_config = ConfigDict(frozen=True)

    item_id: str | None = None  # as posted (None: derived, see feedback_id)
    category: events.Category
    topic: str
    topic_code: str | None = None  # a configured topic (items kept before topics existed: None)
    text: str
    feedback_id: str


class Forum(State):
    """A dialogue forum: when, where, about what, who came, and its items by hashed item id."""

    forum_id: str | None = None
    date: str | None = None  # YYYY-MM-DD
    unit_id: str | None = None
    topic: str | None = None
    topic_code: str | None = None
    attendees: int | None = None
    attended_by: tuple[str, ...] = ()  # NIPs of the civil servants who attended (published in ForumHeld)
    items_count: int = 0
    items: dict[str, ForumItem] = Field(default_factory=dict)

    @property
    def opened(self) -> bool:
        return self.forum_id is not None


class ResponseTally(State):
    """Counts of responses in one shard of a unit's quarter: per channel, element answer, profile value."""

    unit_id: str | None = None
    period: str | None = None
    n: int = 0
    channel: dict[str, int] = Field(default_factory=dict)
    answers: dict[str, dict[str, int]] = Field(default_factory=dict)  # element -> answer "1".."4" -> n
    profile: dict[str, dict[str, int]] = Field(default_factory=dict)  # field -> value or "unknown" -> n


class TopicTally(BaseModel):
    """Feedback items on one topic, per category."""

    model_config = ConfigDict(frozen=True)

    topic: str
    complaint: int = 0
    suggestion: int = 0
    appreciation: int = 0

    def counts(self) -> dict[str, int]:
        """The categories with items, as the unit's feedback summary shows them."""
        return {name: n for name in ("complaint", "suggestion", "appreciation") if (n := getattr(self, name))}


class FeedbackTally(State):
    """A unit's feedback items (forums and integrators): total, per category, per topic (hashed key)."""

    unit_id: str | None = None
    n: int = 0
    categories: dict[str, int] = Field(default_factory=dict)
    topics: dict[str, TopicTally] = Field(default_factory=dict)
