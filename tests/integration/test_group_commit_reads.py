"""A group commit reads each document of its batch by `_id` alone: the store's primary-key path.

The embedded store answers a lone `_id` equality from its primary key; a `find` with `$in` (or
any other filter) scans and decodes every document of the collection, so a batch read that way
grows with the collection (bench/README.md, issue 20: the SQLite store at ~5 events/s).
"""

import asyncio
import uuid

import pytest
from pymongo import AsyncMongoClient

from shared import messaging
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Document
from tests.commands import Commands

pytestmark = pytest.mark.integration


def counted(_: Document) -> Change:
    return Change(inc={"n": 1})


async def test_a_batch_reads_each_document_by_id_alone_and_sees_what_it_holds(store_url: str) -> None:
    finds = Commands("find")
    client: AsyncMongoClient[Document] = AsyncMongoClient(store_url, event_listeners=[finds])
    try:
        collection = client[f"test_{uuid.uuid4().hex[:8]}"]["counted"]
        relay = OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-")))
        aggregates = Aggregates(collection, relay)
        keys = [f"k{i}" for i in range(40)]
        assert all(await asyncio.gather(*(aggregates.apply(key, None, counted) for key in keys[:20])))
        finds.sent.clear()

        assert all(await asyncio.gather(*(aggregates.apply(key, None, counted) for key in keys)))
        reads = list(finds.sent)

        stored = {doc["_id"]: doc["n"] async for doc in collection.find({})}
        assert stored == {key: 2 if i < 20 else 1 for i, key in enumerate(keys)}
        assert reads, "the batch read nothing"
        for command in reads:
            assert command["filter"].keys() == {"_id"}, command["filter"]
            assert isinstance(command["filter"]["_id"], str), command["filter"]  # not {"$in": [...]}
            assert command.get("limit") == 1
        assert {c["filter"]["_id"] for c in reads} == set(keys)
    finally:
        await client.close()
