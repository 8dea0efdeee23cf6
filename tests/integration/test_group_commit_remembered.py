"""Remembered documents: a process plans on what it last wrote, and other writers still win fairly.

The copies a group commit keeps (`remember`) save a read per batch on hot documents; the
version guard and the fresh re-read of a batch that decided nothing on a copy keep them honest
when another instance writes the same documents.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared import messaging
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Document
from tests.builders import a_reward_triggered, wrapped
from tests.commands import Commands

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(store_url: str) -> AsyncIterator[tuple[AsyncMongoClient[Document], Commands]]:
    finds = Commands("find")
    client: AsyncMongoClient[Document] = AsyncMongoClient(store_url, event_listeners=[finds])
    yield client, finds
    await client.close()


def instance(collection: Any, amqp_url: str = "amqp://-") -> Aggregates:
    return Aggregates(
        collection, OutboxRelay(messaging.Publisher(messaging.make_broker(amqp_url))), remember=10
    )


@pytest.fixture
def pair(client: tuple[AsyncMongoClient[Document], Commands]) -> tuple[Aggregates, Aggregates]:
    """Two instances remembering what they write, on one fresh collection."""
    collection = client[0][f"test_{uuid.uuid4().hex[:8]}"]["things"]
    return instance(collection), instance(collection)


def add(points: int) -> Callable[[Document], Change]:
    return lambda _: Change(inc={"total": points})


async def test_a_document_written_here_is_not_read_again(
    client: tuple[AsyncMongoClient[Document], Commands],
) -> None:
    mongo, finds = client
    aggregates = instance(mongo[f"test_{uuid.uuid4().hex[:8]}"]["things"])
    assert await aggregates.apply("k", "ev-0", add(1))
    before = len(finds.sent)
    for i in range(1, 20):
        assert await aggregates.apply("k", f"ev-{i}", add(1))
    assert len(finds.sent) == before  # planned on its own copy each time
    assert not await aggregates.apply("k", "ev-3", add(1))  # a duplicate is checked on the store's copy
    assert len(finds.sent) == before + 1
    assert (await aggregates.get("k") or {})["total"] == 20


async def test_two_instances_writing_one_document_in_turn_count_everything_once(
    pair: tuple[Aggregates, Aggregates],
) -> None:
    first, second = pair
    for i in range(30):
        writer = first if i % 3 else second  # each one's copy goes stale when the other writes
        assert await writer.apply("k", f"ev-{i}", add(1))
    for i in range(30):  # every event again, through the other instance: all known
        assert not await (second if i % 3 else first).apply("k", f"ev-{i}", add(1))
    assert (await first.get("k") or {})["total"] == 30


async def test_nothing_decided_on_a_stale_copy_is_trusted(pair: tuple[Aggregates, Aggregates]) -> None:
    """Membership can be taken back: a copy saying "already in" must not skip the join."""
    first, second = pair

    def join(doc: Document) -> Change | None:
        return None if (doc.get("members") or {}).get("x") else Change(set={"members.x": True})

    assert await first.apply("u", None, join)
    assert await second.apply("u", None, lambda _: Change(set={"members.x": False}))
    assert await first.apply("u", None, join)  # its copy still says x is in
    assert (await first.get("u") or {})["members"] == {"x": True}


async def test_a_copy_with_published_entries_carries_none_of_them_again(
    client: tuple[AsyncMongoClient[Document], Commands], amqp_url: str
) -> None:
    mongo, _ = client
    collection = mongo[f"test_{uuid.uuid4().hex[:8]}"]["things"]
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    await broker.declare_exchange(messaging.EXCHANGE)
    try:
        relay = OutboxRelay(messaging.Publisher(broker))
        aggregates = Aggregates(collection, relay, remember=10)
        for i in range(5):
            event = wrapped(a_reward_triggered())
            assert await aggregates.apply(
                "k", f"ev-{i}", lambda _, e=event: Change(inc={"n": 1}, publish=[e])
            )
            await relay.stop(flush=False)  # the delivery of this write is done
            stored = await collection.find_one({"_id": "k"}) or {}
            assert stored.get("outbox") in ({}, None)
            assert not stored.get("outbox_pending")
        copy = aggregates._group._written["k"]  # what the next batch plans on
        assert not copy.get("outbox")
    finally:
        await broker.stop()


async def test_a_refusal_on_a_stale_copy_is_decided_again_on_the_store(
    pair: tuple[Aggregates, Aggregates],
) -> None:
    first, second = pair
    assert await first.apply("a", "ev-open", add(0))
    assert await second.apply("a", "ev-grant", add(10))  # first's copy still shows 0

    def spend(doc: Document) -> Change:
        if doc.get("total", 0) < 5:
            raise ValueError("not enough")
        return Change(inc={"total": -5})

    assert await first.apply("a", "ev-spend", spend)
    assert (await first.get("a") or {})["total"] == 5


class GatedPublisher:
    """Publishes only as the test lets it: one release, one publish."""

    def __init__(self) -> None:
        self.gate = asyncio.Semaphore(0)

    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None:
        del body, routing_key, message_id
        await self.gate.acquire()


async def test_a_delivered_entry_leaves_the_copy_though_the_copy_moved_on(
    client: tuple[AsyncMongoClient[Document], Commands],
) -> None:
    mongo, _ = client
    publisher = GatedPublisher()
    relay = OutboxRelay(publisher, sweep_seconds=60)
    deliveries: list[tuple[int, Any]] = []
    kick = relay.kick

    def watched_kick(collection: Any, key: Any, version: int, entries: Any) -> Any:
        task = kick(collection, key, version, entries)
        deliveries.append((len(entries), task))
        return task

    relay.kick = watched_kick  # type: ignore[method-assign]
    aggregates = Aggregates(mongo[f"test_{uuid.uuid4().hex[:8]}"]["things"], relay, remember=10)

    def publishing(_: Document) -> Change:
        return Change(inc={"n": 1}, publish=[wrapped(a_reward_triggered())])

    assert await aggregates.apply("k", "ev-1", publishing)  # its delivery waits at the gate
    assert await aggregates.apply("k", "ev-2", publishing)  # carries ev-1's entry: not out yet
    publisher.gate.release()
    await deliveries[0][1]  # ev-1's entry is out, while the copy is already at the next version
    await asyncio.sleep(0)
    assert await aggregates.apply("k", "ev-3", publishing)
    assert [count for count, _ in deliveries] == [1, 2, 2]  # not ev-1's again
    for _ in range(3):
        publisher.gate.release()
    await relay.stop(flush=False)
