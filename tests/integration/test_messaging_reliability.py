"""Consuming on the real broker and store: redelivery has no second effect, poison ends in the DLQ."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from mutu import dlq
from shared import messaging
from shared.contract import envelope, events
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Store
from tests import infra
from tests.builders import a_reward_triggered, structured

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_amqp_url() -> Iterator[str]:
    """A vhost of these tests' own: their consumers stand in for rewards, which the session's stack runs."""
    with infra.vhost() as url:
        yield url


REWARD_TRIGGERED = events.RewardTriggered.routing_key
Handler = Callable[[envelope.CloudEvent[Any]], Awaitable[None]]


def encoded(event: events.Event, event_id: str) -> bytes:
    return json.dumps(structured(event, event_id=event_id)).encode()


async def test_a_redelivered_message_has_no_second_effect(own_amqp_url: str, store_url: str) -> None:
    service = f"inbox{uuid.uuid4().hex[:6]}"
    ids = [f"ev-{i}" for i in range(40)]
    calls: list[str] = []
    async with Store(store_url, f"t_{service}") as store:
        totals = Aggregates(
            store.collection("totals"), OutboxRelay(messaging.Publisher(messaging.make_broker(own_amqp_url)))
        )

        async def handler(message: envelope.CloudEvent[Any]) -> None:
            calls.append(message.id)
            change = Change(inc={"points": message.data.points})
            await totals.apply("all", message.id, lambda _: change)
            if calls.count(message.id) == 1:  # crash after the write, before the ack
                raise RuntimeError("crashed before ack")

        async with infra.reward_consumer(own_amqp_url, service, handler):
            # every event twice on the bus as well (a publisher retry)
            await infra.publish_raw(
                own_amqp_url,
                [(encoded(a_reward_triggered(points=3), i), i) for i in ids * 2],
                routing_key=REWARD_TRIGGERED,
            )

            async def settled() -> bool:
                return len(calls) >= len(ids) * 2 and all(calls.count(i) >= 2 for i in ids)

            await infra.eventually(settled)
            await asyncio.sleep(0.5)  # let the last acks go out before closing
        doc = await totals.get("all") or {}
    print(f"\nsent={len(ids) * 2} distinct={len(ids)} handler calls={len(calls)} total={doc['points']}")
    assert len(calls) > len(ids) * 2  # redeliveries did happen
    assert doc["points"] == 3 * len(ids)  # ...and counted once each


async def test_poison_messages_end_in_the_dlq_and_the_flow_continues(own_amqp_url: str) -> None:
    service = f"poison{uuid.uuid4().hex[:6]}"
    handled: list[str] = []

    async def handler(message: envelope.CloudEvent[Any]) -> None:
        if message.data.reason == "always fails":
            raise ValueError("this handler always raises")
        handled.append(message.id)

    wrong_schema = structured(a_reward_triggered(), event_id="ev-wrong") | {"data": {"nip": "x"}}
    bodies = [
        (b"this is not json", "ev-notjson"),
        (json.dumps(wrong_schema).encode(), "ev-wrong"),
        (encoded(a_reward_triggered(reason="always fails"), "ev-raises"), "ev-raises"),
        *[(encoded(a_reward_triggered(), f"ev-good-{i}"), f"ev-good-{i}") for i in range(20)],
    ]
    dead_letter_queue = f"{service}.{events.RewardTriggered.routing_key}.dlq"
    async with infra.reward_consumer(own_amqp_url, service, handler):
        await infra.publish_raw(own_amqp_url, bodies, routing_key=REWARD_TRIGGERED)
        await infra.eventually(lambda: _done(handled, 20))

        async def dead() -> list[dlq.DeadLetter] | None:
            found = await dlq.list_dead_letters(own_amqp_url, dead_letter_queue)
            return found if len(found) == 3 else None

        letters = {d.id: d for d in await infra.eventually(dead)}
        # listing twice shows the same letters: listing consumes nothing
        assert {d.id for d in await dlq.list_dead_letters(own_amqp_url, dead_letter_queue)} == set(letters)
        assert letters["ev-notjson"].reason == "invalid"
        assert letters["ev-wrong"].reason == "invalid"
        assert letters["ev-raises"].reason == "handler_failed"
        assert "always raises" in letters["ev-raises"].error
        assert letters["ev-raises"].type == "RewardTriggered"
        assert {d.queue for d in letters.values()} == {dead_letter_queue}

        replayed = await dlq.replay(own_amqp_url, dead_letter_queue, "ev-raises")
        assert [d.id for d in replayed] == ["ev-raises"]
        # it fails again and comes back; the other two stayed where they were
        await infra.eventually(dead)
    print(f"\npoison: sent={len(bodies)} handled={len(handled)} dead-lettered={len(letters)}")


def poison(index: int) -> bytes:
    """A message no parser step may crash on: deep nesting, a huge integer, an extreme time, a lone surrogate."""
    valid = structured(a_reward_triggered(), event_id=f"ev-poison-{index}")
    text = json.dumps(valid)
    kind = index % 4
    if kind == 0:
        return b"[" * 100_000 + b"]" * 100_000
    if kind == 1:
        return text.replace('"points": 10', '"points": ' + "7" * 5000).encode()
    if kind == 2:
        return json.dumps(valid | {"time": "0001-01-01T00:00:00+14:00"}).encode()
    return text.replace('"reason": "', '"reason": "\\ud800').encode()


async def test_poison_that_crashes_parsers_is_dead_lettered_and_never_stalls_the_queue(
    own_amqp_url: str,
) -> None:
    """More poison than the prefetch (64): each one unacked would hold a slot for good."""
    service = f"stall{uuid.uuid4().hex[:6]}"
    handled: list[str] = []

    async def handler(message: envelope.CloudEvent[Any]) -> None:
        handled.append(message.id)

    bodies = [(poison(i), f"ev-poison-{i}") for i in range(100)]
    dead_letter_queue = f"{service}.{events.RewardTriggered.routing_key}.dlq"
    async with infra.reward_consumer(own_amqp_url, service, handler):
        # whatever the content type says (or when it says nothing), no library step parses first
        kinds = ("application/cloudevents+json", None, "application/json", "text/plain", "application/json")
        await infra.publish_raw(own_amqp_url, bodies, routing_key=REWARD_TRIGGERED, content_types=kinds)
        await infra.publish_raw(
            own_amqp_url,
            [(encoded(a_reward_triggered(), "ev-after"), "ev-after")],
            routing_key=REWARD_TRIGGERED,
        )
        await infra.eventually(lambda: _done(handled, 1), timeout=60)

        async def dead() -> list[dlq.DeadLetter] | None:
            found = await dlq.list_dead_letters(own_amqp_url, dead_letter_queue)
            return found if len(found) >= len(bodies) else None

        letters = await infra.eventually(dead, timeout=60)
    assert handled == ["ev-after"]
    assert len(letters) == len(bodies)
    assert {d.reason for d in letters} == {"invalid"}
    print(f"\nparser poison: sent={len(bodies)} dead-lettered={len(letters)} then a valid one handled")


async def test_replay_sends_a_dead_letter_back_to_its_consumer(own_amqp_url: str) -> None:
    service = f"replay{uuid.uuid4().hex[:6]}"
    broken = True
    handled: list[str] = []

    async def handler(message: envelope.CloudEvent[Any]) -> None:
        if broken:
            raise RuntimeError("downstream not ready")
        handled.append(message.id)

    queue = f"{service}.{events.RewardTriggered.routing_key}.dlq"
    async with infra.reward_consumer(own_amqp_url, service, handler):
        await infra.publish_raw(
            own_amqp_url,
            [(encoded(a_reward_triggered(), "ev-later"), "ev-later")],
            routing_key=REWARD_TRIGGERED,
        )

        async def one_dead() -> bool:
            return len(await dlq.list_dead_letters(own_amqp_url, queue)) == 1

        await infra.eventually(one_dead)
        broken = False
        replayed = await dlq.replay(own_amqp_url, queue)
        assert [(d.id, d.routing_key) for d in replayed] == [("ev-later", "evaluation.reward_triggered")]
        await infra.eventually(lambda: _done(handled, 1))
        assert handled == ["ev-later"]
        assert await dlq.list_dead_letters(own_amqp_url, queue) == []


async def _done(handled: list[str], count: int) -> bool:
    return len(handled) >= count


async def test_a_published_event_carries_its_id_as_message_and_correlation_id(own_amqp_url: str) -> None:
    bus = infra.BusRecorder()
    await bus.start(own_amqp_url)
    broker = messaging.make_broker(own_amqp_url)
    await broker.connect()
    try:
        await messaging.Publisher(broker).publish_raw(
            encoded(a_reward_triggered(), "ev-corr"), routing_key=REWARD_TRIGGERED, message_id="ev-corr"
        )
        await bus.caught_up()
        (message,) = [m for m in bus.messages if m.message_id == "ev-corr"]
        assert message.correlation_id == "ev-corr"  # the AsyncAPI correlation id, not a random uuid
    finally:
        await broker.stop()
        await bus.close()
