"""Aggregates on the real driver and store: exact under concurrency, duplicates applied once."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from shared import messaging
from shared.aggregates import Aggregates, Change
from shared.outbox import OutboxRelay
from shared.storage import Document, Store
from tests.builders import a_reward_triggered, wrapped

pytestmark = pytest.mark.integration


@pytest.fixture
async def aggregates(store_url: str, amqp_url: str) -> AsyncIterator[Aggregates]:
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    await broker.declare_exchange(messaging.EXCHANGE)
    async with Store(store_url, f"test_{uuid.uuid4().hex[:8]}") as store:
        relay = OutboxRelay(messaging.Publisher(broker))
        yield Aggregates(store.collection("things"), relay)
        await relay.stop()
    await broker.stop()


def add(points: int) -> Callable[[Document], Change]:
    return lambda _: Change(inc={"total": points}, set={"touched": True})


async def test_concurrent_changes_to_one_document_all_count(aggregates: Aggregates) -> None:
    results = await asyncio.gather(*(aggregates.apply("k", f"ev-{i}", add(1)) for i in range(200)))
    assert all(results)
    assert (await aggregates.get("k") or {})["total"] == 200


async def test_two_instances_racing_on_one_hot_document_all_finish(aggregates: Aggregates) -> None:
    """Like two rewards instances on one leaderboard: every lost round is planned again, none fails."""
    other = Aggregates(
        aggregates.collection, OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-")))
    )
    calls = [(a, f"ev-{i}") for i in range(300) for a in (aggregates, other)]
    results = await asyncio.gather(*(a.apply("hot", f"{event_id}-{id(a)}", add(1)) for a, event_id in calls))
    assert all(results)
    assert (await aggregates.get("hot") or {})["total"] == 600


async def test_a_redelivered_event_changes_nothing(aggregates: Aggregates) -> None:
    ids = [f"ev-{i % 50}" for i in range(150)]  # each id three times, concurrently
    results = await asyncio.gather(*(aggregates.apply("k", event_id, add(2)) for event_id in ids))
    assert sum(results) == 50
    assert (await aggregates.get("k") or {})["total"] == 100
    assert not await aggregates.apply("k", "ev-7", add(2))


async def test_changes_spread_over_many_documents(aggregates: Aggregates) -> None:
    await asyncio.gather(*(aggregates.apply(f"k{i % 17}", f"ev-{i}", add(1)) for i in range(340)))
    totals = [(await aggregates.get(f"k{i}") or {})["total"] for i in range(17)]
    assert totals == [20] * 17


async def test_outgoing_events_are_stored_with_the_change(aggregates: Aggregates) -> None:
    event = wrapped(a_reward_triggered())

    def decide(_: Document) -> Change:
        return Change(set={"x": 1}, publish=[event])

    assert await aggregates.apply("out", "ev-out", decide)
    raw = await aggregates.collection.find_one({"_id": "out"})
    assert raw is not None
    assert raw["x"] == 1
    assert raw.get("outbox_pending") or raw.get("outbox") == {}  # stored, or already published


async def test_a_failing_decision_fails_only_its_caller(aggregates: Aggregates) -> None:
    def broken(_: Document) -> Change:
        raise ValueError("bad")

    results = await asyncio.gather(
        aggregates.apply("f", "ev-a", add(1)), aggregates.apply("f", "ev-b", broken), return_exceptions=True
    )
    assert results[0] is True
    assert isinstance(results[1], ValueError)
    assert (await aggregates.get("f") or {})["total"] == 1
