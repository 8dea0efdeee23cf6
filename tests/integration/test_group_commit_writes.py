"""A group commit writes by `_id` alone, and a plan on a version that is no longer current writes nothing.

The embedded store answers only a lone `_id` equality from its primary key; the old guard
`{"_id": k, "version": v}` made every write scan the collection (50 ms an update at 1,000
documents on SQLite, against 5 ms on `_id`: bench/README.md). The version check is now inside the
update pipeline (group_commit.guarded_update).
"""

import asyncio
import uuid

import pytest
from pymongo import AsyncMongoClient, UpdateOne

from shared import messaging
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.group_commit import Planned, guarded_update
from shared.persistence.storage import Document
from tests.commands import Commands

pytestmark = pytest.mark.integration


def counted(_: Document) -> Change:
    return Change(inc={"n": 1}, set={"seen.first": True})


async def test_every_write_of_a_batch_names_the_document_by_id_alone(store_url: str) -> None:
    updates = Commands("update")
    client: AsyncMongoClient[Document] = AsyncMongoClient(store_url, event_listeners=[updates])
    try:
        collection = client[f"test_{uuid.uuid4().hex[:8]}"]["counted"]
        aggregates = Aggregates(
            collection, OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-")))
        )
        keys = [f"k{i}" for i in range(30)]
        for _ in range(2):  # new documents, then existing ones
            assert all(await asyncio.gather(*(aggregates.apply(key, None, counted) for key in keys)))

        stored = {doc["_id"]: (doc["n"], doc["version"]) async for doc in collection.find({})}
        assert stored == dict.fromkeys(keys, (2, 2))
        filters = [dict(op["q"]) for command in updates.sent for op in command["updates"]]
        assert filters, "nothing was written"
        assert all(f.keys() == {"_id"} for f in filters), filters[:3]
    finally:
        await client.close()


async def test_a_plan_on_a_version_no_longer_current_leaves_the_document_as_it_was(store_url: str) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(store_url)
    try:
        collection = client[f"test_{uuid.uuid4().hex[:8]}"]["things"]
        stored = {"_id": "k", "version": 2, "entries": {"a": {"n": 1}}, "note": None}
        await collection.insert_one(dict(stored))
        stale = Planned(version=1, doc={"entries": {"b": {"n": 2}}, "new": "$entries", "other": {"x": 1}})
        stale.touched = {"entries.b", "new", "other.x"}
        stale.removed = {"entries.a", "note", "gone.y"}

        result = await collection.bulk_write([UpdateOne({"_id": "k"}, guarded_update(stale, "t1"))])

        assert (result.matched_count, result.modified_count) == (1, 0)
        assert await collection.find_one({"_id": "k"}) == stored

        current = Planned(version=2, doc=stale.doc, touched=stale.touched, removed=stale.removed)
        await collection.bulk_write([UpdateOne({"_id": "k"}, guarded_update(current, "t2"))])
        assert await collection.find_one({"_id": "k"}) == {
            "_id": "k",
            "version": 3,
            "_write": "t2",
            "entries": {"b": {"n": 2}},
            "new": "$entries",  # a value, not a field path
            "other": {"x": 1},
        }
    finally:
        await client.close()
