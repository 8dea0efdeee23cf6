"""The Mongo adapters of rewards' ports, on the real driver and the embedded store."""

import pytest

from services.rewards.repository import MongoAccounts, MongoBoards, MongoLedgerPages
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests.contracts.rewards import AccountsContract, BoardsContract, LedgerPagesContract

pytestmark = pytest.mark.integration


class TestMongoAccounts(AccountsContract):
    @pytest.fixture
    def accounts(self, store: Store, relay: OutboxRelay) -> MongoAccounts:
        return MongoAccounts(Aggregates(store.collection("accounts"), relay))


class TestMongoLedgerPages(LedgerPagesContract):
    @pytest.fixture
    def pages(self, store: Store) -> MongoLedgerPages:
        return MongoLedgerPages(store)


class TestMongoBoards(BoardsContract):
    @pytest.fixture
    def boards(self, store: Store, relay: OutboxRelay) -> MongoBoards:
        return MongoBoards(Aggregates(store.collection("leaderboards"), relay))
