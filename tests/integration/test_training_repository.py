"""The Mongo adapters of training's ports, on the real driver and the embedded store."""

import pytest

from services.training.repository.mongo import (
    MongoGroups,
    MongoMonths,
    MongoPeople,
    MongoProgrammes,
    MongoRecords,
    MongoUnits,
)
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests.contracts.training import (
    GroupsContract,
    MonthsContract,
    ProgrammesContract,
    RecordsContract,
    TraineesContract,
    UnitsContract,
)

pytestmark = pytest.mark.integration


class TestMongoProgrammes(ProgrammesContract):
    @pytest.fixture
    async def programmes(self, store: Store, relay: OutboxRelay) -> MongoProgrammes:
        programmes = MongoProgrammes(Aggregates(store.collection("programs"), relay))
        await programmes.create_indexes()
        return programmes


class TestMongoTrainees(TraineesContract):
    @pytest.fixture
    def trainees(self, store: Store, relay: OutboxRelay) -> MongoPeople:
        return MongoPeople(Aggregates(store.collection("people"), relay))


class TestMongoUnits(UnitsContract):
    @pytest.fixture
    def units(self, store: Store, relay: OutboxRelay) -> MongoUnits:
        return MongoUnits(Aggregates(store.collection("units"), relay))


class TestMongoRecords(RecordsContract):
    @pytest.fixture
    async def records(self, store: Store, relay: OutboxRelay) -> MongoRecords:
        records = MongoRecords(Aggregates(store.collection("records"), relay))
        await records.create_indexes()
        return records


class TestMongoMonths(MonthsContract):
    @pytest.fixture
    def months(self, store: Store, relay: OutboxRelay) -> MongoMonths:
        return MongoMonths(Aggregates(store.collection("statements"), relay))


class TestMongoGroups(GroupsContract):
    @pytest.fixture
    def groups(self, store: Store, relay: OutboxRelay) -> MongoGroups:
        return MongoGroups(Aggregates(store.collection("groups"), relay))
