"""The drained-stack helper sees unpublished outbox entries in the stack's databases only."""

import pytest
from pymongo import AsyncMongoClient

from tests import infra
from tests.builders import random_id

pytestmark = pytest.mark.integration


async def test_the_outbox_backlog_counts_pending_documents_under_the_stack_prefix(store_url: str) -> None:
    prefix = f"d{random_id()[-6:]}_"
    env = {"MONGODB_URL": store_url, "MONGODB_DB_PREFIX": prefix}
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(store_url)
    try:
        await client[f"{prefix}training"]["records"].insert_one({"_id": "a", "outbox_pending": True})
        await client[f"other_{prefix}"]["records"].insert_one({"_id": "b", "outbox_pending": True})
        assert await infra._outbox_backlog(env) == 1
        await client[f"{prefix}training"]["records"].update_one(
            {"_id": "a"}, {"$set": {"outbox_pending": False}}
        )
        assert await infra._outbox_backlog(env) == 0
    finally:
        await client.close()
