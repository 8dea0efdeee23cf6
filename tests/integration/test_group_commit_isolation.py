"""A failing write fails only its own caller: the rest of the group commit is written."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from shared import messaging
from shared.messaging.outbox import OutboxRelay
from shared.observability import metrics
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Document, DocumentTooLargeError, Store

pytestmark = pytest.mark.integration

LIMIT = 16 * 1024


@pytest.fixture
async def aggregates(store_url: str) -> AsyncIterator[Aggregates]:
    async with Store(store_url, f"test_{uuid.uuid4().hex[:8]}") as store:
        relay = OutboxRelay(messaging.Publisher(messaging.make_broker("amqp://-")))
        yield Aggregates(store.collection("isolated"), relay, max_document_bytes=LIMIT)


def named(name: str) -> Callable[[Document], Change]:
    return lambda _: Change(set={"name": name}, inc={"n": 1})


def visit(index: int, name: str) -> Callable[[Document], Change]:
    return lambda _: Change(set={f"visits.v{index}": name}, inc={"n": 1})


async def outcomes(calls: list[asyncio.Future[bool] | asyncio.Task[bool]]) -> list[bool | BaseException]:
    return list(await asyncio.gather(*calls, return_exceptions=True))


async def test_an_unencodable_document_fails_alone_in_its_batch(aggregates: Aggregates) -> None:
    names = [f"person {i}" for i in range(30)]
    names[13] = "lone \ud800 surrogate"  # bson.encode refuses it before anything is sent
    results = await outcomes(
        [asyncio.ensure_future(aggregates.apply(f"k{i}", f"ev-{i}", named(n))) for i, n in enumerate(names)]
    )
    failed = [i for i, result in enumerate(results) if isinstance(result, BaseException)]
    assert failed == [13]
    stored = await aggregates.collection.count_documents({"_id": {"$in": [f"k{i}" for i in range(30)]}})
    assert stored == 29


async def test_callers_sharing_a_failing_document_are_retried_alone(aggregates: Aggregates) -> None:
    names = [f"visit {i}" for i in range(10)]
    names[4] = "bad \udc00"
    results = await outcomes(
        [
            asyncio.ensure_future(aggregates.apply("shared", f"ev-{i}", visit(i, n)))
            for i, n in enumerate(names)
        ]
    )
    assert [i for i, result in enumerate(results) if isinstance(result, BaseException)] == [4]
    assert (await aggregates.get("shared") or {})["n"] == 9


async def test_a_document_over_the_limit_is_refused_and_nothing_else_is(aggregates: Aggregates) -> None:
    big = "x" * (LIMIT + 1)
    calls = [asyncio.ensure_future(aggregates.apply(f"d{i}", f"ev-{i}", named("small"))) for i in range(5)]
    calls.append(asyncio.ensure_future(aggregates.apply("d-big", "ev-big", named(big))))
    results = await outcomes(calls)
    assert results[:5] == [True] * 5
    assert isinstance(results[5], DocumentTooLargeError)
    assert await aggregates.get("d-big") is None
    largest = metrics.REGISTRY.get_sample_value("mutu_store_document_max_bytes", {"collection": "isolated"})
    assert largest is not None
    assert 0 < largest <= LIMIT
