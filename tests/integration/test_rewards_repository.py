"""The Mongo adapters of rewards' ports, on the real driver and the embedded store."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.rewards.repository import MongoAccounts, MongoBoards, MongoLedgerPages
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests import infra
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


class TestMongoLedgerPagesOnSqlite(LedgerPagesContract):
    """The same on the SQLite store `make run` uses, whose updates have limits of their own."""

    @pytest.fixture
    async def pages(self, tmp_path: Path) -> AsyncIterator[MongoLedgerPages]:
        with infra.embedded_store(tmp_path, memory=False) as url:
            async with Store(url, "rewards") as store:
                yield MongoLedgerPages(store)


class TestMongoBoards(BoardsContract):
    @pytest.fixture
    def boards(self, store: Store, relay: OutboxRelay) -> MongoBoards:
        return MongoBoards(Aggregates(store.collection("leaderboards"), relay))
