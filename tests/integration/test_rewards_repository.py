"""The Mongo adapters of rewards' ports, on the real driver and the embedded store."""

from collections.abc import AsyncIterator

import pytest

from services.rewards.repository import MongoAccounts, MongoBoards, MongoLedgerPages
from shared.outbox import OutboxRelay
from shared.storage import Store
from tests.builders import random_id
from tests.contracts.rewards import AccountsContract, BoardsContract, LedgerPagesContract

pytestmark = pytest.mark.integration


class Published:
    def __init__(self) -> None:
        self.ids: list[str] = []

    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None:
        del body, routing_key
        self.ids.append(message_id)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    async with Store(store_url, f"contract_{random_id()[-8:]}") as store:
        yield store


@pytest.fixture
async def relay() -> AsyncIterator[OutboxRelay]:
    relay = OutboxRelay(Published(), sweep_seconds=60)
    yield relay
    await relay.stop(flush=False)


class TestMongoAccounts(AccountsContract):
    @pytest.fixture
    def accounts(self, store: Store, relay: OutboxRelay) -> MongoAccounts:
        return MongoAccounts(store, relay)


class TestMongoLedgerPages(LedgerPagesContract):
    @pytest.fixture
    def pages(self, store: Store) -> MongoLedgerPages:
        return MongoLedgerPages(store)


class TestMongoBoards(BoardsContract):
    @pytest.fixture
    def boards(self, store: Store, relay: OutboxRelay) -> MongoBoards:
        return MongoBoards(store, relay)
