"""Two processes' aggregates and relays on one account document: every announcement goes out.

Regression: a relay clearing the whole outbox at the version it wrote also removed entries another
instance had written just before and not yet published (its delivery then re-read an empty outbox).
"""

import asyncio
import datetime as dt
import random
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.rewards import ledger
from services.rewards.model import Account, LedgerEntry
from shared.contract.calendar import Calendar
from shared.messaging.outbox import OutboxRelay
from shared.persistence import sealed
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import StateStore
from shared.persistence.storage import Document
from tests.builders import a_reward_triggered, random_id, random_nip, wrapped

pytestmark = pytest.mark.integration

WIB = Calendar()


class Recorder:
    """A publisher that records message ids, a little slow like a real broker round trip."""

    def __init__(self, rng: random.Random) -> None:
        self.ids: list[str] = []
        self._rng = rng

    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None:
        del body, routing_key
        await asyncio.sleep(self._rng.random() * 0.003)
        self.ids.append(message_id)


async def instance(url: str, database: str, work: list[Any], recorder: Recorder) -> None:
    async with AsyncMongoClient[Document](url, tz_aware=True) as client:
        relay = OutboxRelay(recorder, sweep_seconds=60)
        accounts = StateStore(Aggregates(client[database]["accounts"], relay), Account)
        rng = random.Random(len(work))

        async def book(trigger: Any) -> None:
            await asyncio.sleep(rng.random() * 0.5)
            nip, booking = trigger.data.nip, ledger.grant_of(trigger, dt.datetime.now(dt.UTC))
            await accounts.update(
                nip, lambda account: ledger.book(account, nip, booking, archived=0, calendar=WIB)
            )

        await asyncio.gather(*(book(t) for t in work))
        await relay.stop(flush=False)


async def test_no_announcement_is_lost_when_two_instances_write_one_document(store_url: str) -> None:
    people = [random_nip() for _ in range(4)]
    triggers = [wrapped(a_reward_triggered(nip=people[i % 4], points=1)) for i in range(400)]
    rng = random.Random(11)
    deliveries = triggers + triggers[::3]
    rng.shuffle(deliveries)
    first, second = Recorder(rng), Recorder(rng)
    database = f"outbox_{random_id()[-6:]}"
    half = len(deliveries) // 2
    await asyncio.gather(
        instance(store_url, database, deliveries[:half], first),
        instance(store_url, database, deliveries[half:], second),
    )
    async with AsyncMongoClient[Document](store_url) as client:
        docs = [d async for d in client[database]["accounts"].find({})]
    expected = {
        ledger.announce(d["nip"], LedgerEntry.model_validate(e)).id
        for d in docs
        for e in sealed.merged(d, "entries").values()
    }
    assert len(expected) == len(triggers)
    assert sum(d["balance"] for d in docs) == len(triggers)
    assert not [d["_id"] for d in docs if d.get("outbox")]
    assert set(first.ids) | set(second.ids) == expected
