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
from shared.observability.metrics import REGISTRY
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests.builders import random_id, random_nip
from tests.contracts.training import (
    GroupsContract,
    MonthsContract,
    ProgrammesContract,
    RecordsContract,
    TraineesContract,
    UnitsContract,
)

pytestmark = pytest.mark.integration


def _commands() -> dict[str, float]:
    """Store commands this process sent so far, by name."""
    (family,) = (m for m in REGISTRY.collect() if m.name == "mutu_store_commands")
    return {s.labels["command"]: s.value for s in family.samples if s.name.endswith("_total")}


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

    async def test_a_member_seen_stored_is_not_read_again(self, units: MongoUnits) -> None:
        """Every completion read its unit's document (every member in it) only to decide nothing."""
        unit_id, nip = f"kel-{random_id('u')[-8:]}", random_nip()
        await units.join(unit_id, nip)
        before = sum(_commands().values())
        for _ in range(5):
            await units.join(unit_id, nip)
        assert sum(_commands().values()) == before
        await units.join(unit_id, random_nip())  # someone new is still read and written
        assert sum(_commands().values()) > before


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
