"""Fixtures for the repository contract tests: a fresh database on the embedded store, a relay."""

from collections.abc import AsyncIterator

import pytest

from shared.messaging.outbox import OutboxRelay
from shared.persistence.storage import Store
from tests.builders import random_id


class Published:
    """A publisher that records the message ids the relay sends."""

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
