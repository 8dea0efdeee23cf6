"""One delivery at a time per document: back-to-back writes of one document publish each event once."""

import asyncio
import collections
import uuid

import pytest
from pymongo import AsyncMongoClient

from shared.messaging import outbox
from shared.messaging.outbox import Entry, OutboxRelay, outbox_fields
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Document
from tests.builders import a_reward_triggered, wrapped

pytestmark = pytest.mark.integration


class SlowPublisher:
    """Records every publish; each takes a moment, as a confirm over the network does."""

    def __init__(self) -> None:
        self.ids: collections.Counter[str] = collections.Counter()

    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None:
        del body, routing_key
        await asyncio.sleep(0.002)
        self.ids[message_id] += 1


async def test_back_to_back_writes_of_one_document_publish_each_event_once(store_url: str) -> None:
    publisher = SlowPublisher()
    relay = OutboxRelay(publisher, sweep_seconds=60)
    async with AsyncMongoClient[Document](store_url) as client:
        aggregates = Aggregates(client[f"test_{uuid.uuid4().hex[:8]}"]["things"], relay)
        sent = [wrapped(a_reward_triggered()) for _ in range(150)]
        for i, event in enumerate(sent):  # each write's delivery overlaps the next ones
            assert await aggregates.apply(
                "k", f"ev-{i}", lambda _, e=event: Change(inc={"n": 1}, publish=[e])
            )
        await relay.stop()
    assert set(publisher.ids) == {e.id for e in sent}
    assert [i for i, n in publisher.ids.items() if n > 1] == []


async def test_a_clear_keeps_what_was_written_after_the_delivery_began(store_url: str) -> None:
    """Published entries go by key; the pending flag goes only with the last of them."""
    async with AsyncMongoClient[Document](store_url) as client:
        collection = client[f"test_{uuid.uuid4().hex[:8]}"]["things"]
        first, later = (Entry.of(wrapped(a_reward_triggered()), seq) for seq in (1, 2))
        await collection.update_one({"_id": "k"}, {"$set": outbox_fields([first, later])}, upsert=True)
        await outbox._clear_batch(collection, [("k", [first])])
        doc = await collection.find_one({"_id": "k"}) or {}
        assert (list(doc["outbox"]), doc.get("outbox_pending")) == ([later.key], True)
        await outbox._clear_batch(collection, [("k", [later])])
        doc = await collection.find_one({"_id": "k"}) or {}
        assert (doc["outbox"], doc.get("outbox_pending")) == ({}, None)


async def test_an_event_id_reused_in_another_document_is_published_from_each(store_url: str) -> None:
    """An integrator's id used again for another person's record: each record's event goes out."""
    publisher = SlowPublisher()
    relay = OutboxRelay(publisher, sweep_seconds=60)
    async with AsyncMongoClient[Document](store_url) as client:
        aggregates = Aggregates(client[f"test_{uuid.uuid4().hex[:8]}"]["records"], relay)
        event = wrapped(a_reward_triggered())
        for key in ("person-a:2026", "person-b:2026"):
            assert await aggregates.apply(key, event.id, lambda _: Change(inc={"n": 1}, publish=[event]))
            await relay.stop()
    assert publisher.ids[event.id] == 2
