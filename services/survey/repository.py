"""Survey's ports (responses, feedback, forums, tallies) and their MongoDB adapters (the document layout)."""

import hashlib
from collections.abc import Callable
from typing import Protocol

from services.survey.model import EventClaim, Feedback, FeedbackTally, Forum, Response, ResponseTally, Ticket
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import Outcome, StateStore

ResponseDecision = Callable[[Response], Outcome[Response] | None]
FeedbackDecision = Callable[[Feedback], Outcome[Feedback] | None]
ForumDecision = Callable[[Forum], Outcome[Forum] | None]
ResponseTallyDecision = Callable[[ResponseTally], Outcome[ResponseTally] | None]
FeedbackTallyDecision = Callable[[FeedbackTally], Outcome[FeedbackTally] | None]
TicketDecision = Callable[[Ticket], Outcome[Ticket] | None]
ClaimDecision = Callable[[EventClaim], Outcome[EventClaim] | None]

# Responses of one unit and quarter are counted in this many documents, so that no document (and
# its inbox of response ids) grows without bound and concurrent writers rarely meet.
SHARDS = 8
LISTED = 200  # forums one listing shows


class Responses(Protocol):
    async def get(self, response_id: str) -> Response | None: ...
    async def update(self, response_id: str, decide: ResponseDecision, *, event_id: str) -> bool: ...


class FeedbackLog(Protocol):
    async def get(self, feedback_id: str) -> Feedback | None: ...
    async def update(self, feedback_id: str, decide: FeedbackDecision, *, event_id: str) -> bool: ...


class Forums(Protocol):
    async def get(self, forum_id: str) -> Forum | None: ...
    async def update(self, forum_id: str, decide: ForumDecision, *, event_id: str) -> bool: ...
    async def listed(self, unit_id: str | None) -> list[Forum]:
        """Up to LISTED forums (of one unit, or all), without their items."""
        ...


class ResponseTallies(Protocol):
    async def update(
        self, unit_id: str, period: str, response_id: str, decide: ResponseTallyDecision, *, event_id: str
    ) -> bool:
        """Apply `decide` to the tally that counts `response_id` in the unit's quarter."""
        ...

    async def shards(self, unit_id: str, period: str) -> list[ResponseTally]:
        """The tallies of a unit's quarter; together they count each response once."""
        ...


class FeedbackTallies(Protocol):
    async def get(self, unit_id: str) -> FeedbackTally | None: ...
    async def update(self, unit_id: str, decide: FeedbackTallyDecision, *, event_id: str) -> bool: ...


class EventClaims(Protocol):
    """What each event id posted to survey names (decisions.event_claimed), by event id."""

    async def update(self, event_id: str, decide: ClaimDecision) -> bool: ...


class Tickets(Protocol):
    """Service tickets by key (the hash of the code, see decisions.ticket_key)."""

    async def get(self, key: str) -> Ticket | None: ...
    async def update(self, key: str, decide: TicketDecision, *, event_id: str) -> bool:
        """Apply `decide` under the version guard: two concurrent uses of one ticket see each other."""
        ...


class MongoTickets:
    """`tickets`: one document per ticket, `_id` the SHA-256 of its code (the code is not stored)."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._states = StateStore(aggregates, Ticket)

    async def get(self, key: str) -> Ticket | None:
        return await self._states.get(key)

    async def update(self, key: str, decide: TicketDecision, *, event_id: str) -> bool:
        return await self._states.update(key, decide, event_id=event_id)


class MongoEventClaims:
    """`event_ids`: one small document per event id recorded, `_id` the event id, `subject` what it names."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._states = StateStore(aggregates, EventClaim)

    async def update(self, event_id: str, decide: ClaimDecision) -> bool:
        # no inbox: every claim is decided (the same id for another subject must be refused)
        return await self._states.update(event_id, decide)


class MongoResponses:
    """`responses`: one document per response_id (the SurveySubmitted fields, event id, comment)."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._states = StateStore(aggregates, Response)

    async def get(self, response_id: str) -> Response | None:
        return await self._states.get(response_id)

    async def update(self, response_id: str, decide: ResponseDecision, *, event_id: str) -> bool:
        return await self._states.update(response_id, decide, event_id=event_id)


class MongoFeedbackLog:
    """`feedback`: one document per feedback_id posted to /events (the FeedbackReceived fields)."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._states = StateStore(aggregates, Feedback)

    async def get(self, feedback_id: str) -> Feedback | None:
        return await self._states.get(feedback_id)

    async def update(self, feedback_id: str, decide: FeedbackDecision, *, event_id: str) -> bool:
        return await self._states.update(feedback_id, decide, event_id=event_id)


class MongoForums:
    """`forums`: one document per forum_id, its items under `items.<hashed item id>`."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Forum)

    async def get(self, forum_id: str) -> Forum | None:
        return await self._states.get(forum_id)

    async def update(self, forum_id: str, decide: ForumDecision, *, event_id: str) -> bool:
        return await self._states.update(forum_id, decide, event_id=event_id)

    async def listed(self, unit_id: str | None) -> list[Forum]:
        query = {"unit_id": unit_id} if unit_id else {}
        found = self._collection.find(query, {"inbox": 0, "outbox": 0, "items": 0})
        return [Forum.model_validate(doc) for doc in await found.to_list(LISTED)]


class MongoResponseTallies:
    """`summaries`: SHARDS documents `<unit>:<period>:<shard>` per unit and quarter."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, ResponseTally)

    async def update(
        self, unit_id: str, period: str, response_id: str, decide: ResponseTallyDecision, *, event_id: str
    ) -> bool:
        return await self._states.update(shard_key(unit_id, period, response_id), decide, event_id=event_id)

    async def shards(self, unit_id: str, period: str) -> list[ResponseTally]:
        keys = [f"{unit_id}:{period}:{shard}" for shard in range(SHARDS)]
        found = self._collection.find({"_id": {"$in": keys}}, {"inbox": 0, "outbox": 0})
        return [ResponseTally.model_validate(doc) async for doc in found]


class MongoFeedbackTallies:
    """`summaries` too: one document `feedback:<unit>` per unit."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._states = StateStore(aggregates, FeedbackTally)

    async def get(self, unit_id: str) -> FeedbackTally | None:
        return await self._states.get(f"feedback:{unit_id}")

    async def update(self, unit_id: str, decide: FeedbackTallyDecision, *, event_id: str) -> bool:
        return await self._states.update(f"feedback:{unit_id}", decide, event_id=event_id)


def shard_key(unit_id: str, period: str, response_id: str) -> str:
    shard = int(hashlib.blake2b(response_id.encode(), digest_size=2).hexdigest(), 16) % SHARDS
    return f"{unit_id}:{period}:{shard}"
