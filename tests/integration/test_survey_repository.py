"""The Mongo adapters of survey's ports, on the real driver and the embedded store."""

import pytest

from services.survey import decisions
from services.survey.model import Ticket
from services.survey.repository import (
    MongoFeedbackLog,
    MongoFeedbackTallies,
    MongoForums,
    MongoResponses,
    MongoResponseTallies,
    MongoTickets,
)
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests.contracts.survey import (
    FeedbackLogContract,
    FeedbackTalliesContract,
    ForumsContract,
    ResponsesContract,
    ResponseTalliesContract,
    TicketsContract,
)

pytestmark = pytest.mark.integration


class TestMongoResponses(ResponsesContract):
    @pytest.fixture
    def responses(self, store: Store, relay: OutboxRelay) -> MongoResponses:
        return MongoResponses(Aggregates(store.collection("responses"), relay))


class TestMongoFeedbackLog(FeedbackLogContract):
    @pytest.fixture
    def feedback(self, store: Store, relay: OutboxRelay) -> MongoFeedbackLog:
        return MongoFeedbackLog(Aggregates(store.collection("feedback"), relay))


class TestMongoForums(ForumsContract):
    @pytest.fixture
    def forums(self, store: Store, relay: OutboxRelay) -> MongoForums:
        return MongoForums(Aggregates(store.collection("forums"), relay))


class TestMongoResponseTallies(ResponseTalliesContract):
    @pytest.fixture
    def tallies(self, store: Store, relay: OutboxRelay) -> MongoResponseTallies:
        return MongoResponseTallies(Aggregates(store.collection("summaries"), relay))


class TestMongoFeedbackTallies(FeedbackTalliesContract):
    @pytest.fixture
    def totals(self, store: Store, relay: OutboxRelay) -> MongoFeedbackTallies:
        return MongoFeedbackTallies(Aggregates(store.collection("summaries"), relay))


class TestMongoTickets(TicketsContract):
    @pytest.fixture
    def tickets(self, store: Store, relay: OutboxRelay) -> MongoTickets:
        return MongoTickets(Aggregates(store.collection("tickets"), relay))

    async def test_the_code_is_not_stored(self, tickets: MongoTickets, store: Store) -> None:
        code = "c0de-" + "x" * 27
        key = decisions.ticket_key(code)
        await tickets.update(
            key, lambda t: decisions.ticket_issued(t, Ticket(unit_id="kel-candi")), event_id="i"
        )
        found = await store.collection("tickets").find_one({"_id": key})
        assert found is not None
        assert code not in repr(found)
