"""The Mongo adapters of evaluation's ports, on the real driver and the embedded store."""

import pytest

from services.evaluation.repository import (
    MongoForumQuarters,
    MongoPeople,
    MongoQuarterCloses,
    MongoTallies,
    MongoUnitQuarters,
)
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests.contracts.evaluation import (
    ForumQuartersContract,
    PeopleContract,
    QuarterClosesContract,
    TalliesContract,
    UnitQuartersContract,
)

pytestmark = pytest.mark.integration


class TestMongoPeople(PeopleContract):
    @pytest.fixture
    async def people(self, store: Store, relay: OutboxRelay) -> MongoPeople:
        people = MongoPeople(Aggregates(store.collection("people"), relay))
        await people.create_indexes()
        return people


class TestMongoUnitQuarters(UnitQuartersContract):
    @pytest.fixture
    def quarters(self, store: Store, relay: OutboxRelay) -> MongoUnitQuarters:
        return MongoUnitQuarters(Aggregates(store.collection("units"), relay))


class TestMongoTallies(TalliesContract):
    @pytest.fixture
    def tallies(self, store: Store, relay: OutboxRelay) -> MongoTallies:
        return MongoTallies(Aggregates(store.collection("ikm_shards"), relay))


class TestMongoQuarterCloses(QuarterClosesContract):
    @pytest.fixture
    def closes(self, store: Store, relay: OutboxRelay) -> MongoQuarterCloses:
        return MongoQuarterCloses(Aggregates(store.collection("quarters"), relay))


class TestMongoForumQuarters(ForumQuartersContract):
    @pytest.fixture
    async def forums(self, store: Store, relay: OutboxRelay) -> MongoForumQuarters:
        forums = MongoForumQuarters(Aggregates(store.collection("forum_signals"), relay))
        await forums.create_indexes()
        return forums
