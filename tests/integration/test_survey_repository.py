"""The Mongo adapters of survey's ports, on the real driver and the embedded store."""

import pytest

from services.survey.repository import (
    MongoFeedbackLog,
    MongoFeedbackTallies,
    MongoForums,
    MongoResponses,
    MongoResponseTallies,
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
