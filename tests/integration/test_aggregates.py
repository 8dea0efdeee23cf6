"""Aggregates on the real driver and store: exact under concurrency, duplicates applied once."""

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from shared import messaging
from shared.contract.identifiers import field_key
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Document, Store
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


class Clock:
    """A clock the test moves: the inbox's retention window is measured with it."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def completion(event_id: str) -> Callable[[Document], Change]:
    """Stored under its own id (a natural key), plus a counter that must not count it twice."""
    return lambda _: Change(set={f"completions.{field_key(event_id)}": {"jp": 2}}, inc={"jp": 2})


async def test_a_resend_after_the_retention_window_is_not_double_counted_where_the_natural_key_protects_it(
    aggregates: Aggregates,
) -> None:
    clock = Clock()
    person = Aggregates(
        aggregates.collection,
        OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-"))),
        inbox_retention=dt.timedelta(days=30),
        clock=clock,
    )
    done = [f"done-{i}" for i in range(20)]
    answers = [f"answer-{i}" for i in range(20)]
    assert all(await asyncio.gather(*(person.apply("p", e, completion(e)) for e in done)))
    assert all(await asyncio.gather(*(person.apply("p", a, add(1)) for a in answers)))
    raw = await aggregates.collection.find_one({"_id": "p"}) or {}
    assert [len(bucket) for bucket in raw["inbox"].values()] == [8 * len(answers)]  # marks for answers only

    clock.now += dt.timedelta(days=29)  # within the window: every resend is a duplicate
    assert not any(await asyncio.gather(*(person.apply("p", e, completion(e)) for e in done + answers)))

    clock.now += dt.timedelta(days=2)  # past the window: the next write drops the old marks
    assert not any(await asyncio.gather(*(person.apply("p", e, completion(e)) for e in done)))
    assert await person.apply("p", "answer-new", add(1))
    raw = await aggregates.collection.find_one({"_id": "p"}) or {}
    assert raw["jp"] == 2 * len(done)  # the completions, resent after the window, counted once
    assert [len(bucket) for bucket in raw["inbox"].values()] == [8]  # only today's mark is left
    assert raw["total"] == len(answers) + 1


async def test_ids_marked_by_earlier_versions_still_count_and_expire(aggregates: Aggregates) -> None:
    clock = Clock()
    old = Aggregates(
        aggregates.collection,
        OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-"))),
        inbox_retention=dt.timedelta(days=30),
        clock=clock,
    )
    await aggregates.collection.insert_one(
        {"_id": "legacy", "version": 1, "total": 1, "inbox": {field_key("ev-old"): clock.now}}
    )
    assert not await old.apply("legacy", "ev-old", add(1))
    clock.now += dt.timedelta(days=31)
    assert await old.apply("legacy", "ev-new", add(1))
    raw = await aggregates.collection.find_one({"_id": "legacy"}) or {}
    assert field_key("ev-old") not in raw["inbox"]
    assert raw["total"] == 2


async def test_keeping_ids_for_the_document_life_never_drops_them(aggregates: Aggregates) -> None:
    clock = Clock()
    period = Aggregates(
        aggregates.collection,
        OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-"))),
        inbox_retention=None,
        clock=clock,
    )
    assert await period.apply("q", "ev-1", add(1))
    clock.now += dt.timedelta(days=400)
    assert await period.apply("q", "ev-2", add(1))
    assert not await period.apply("q", "ev-1", add(1))
    assert (await period.get("q") or {})["total"] == 2
