"""The watchdog re-starts a consumer the broker dropped while the client still believes it consumes."""

import asyncio
import uuid
from typing import Any

import pytest

from shared import messaging
from shared.contract import envelope, events
from shared.messaging.watchdog import Watchdog, consumer_alive
from tests import infra
from tests.builders import a_reward_triggered, wrapped

pytestmark = pytest.mark.integration


async def test_a_consumer_dropped_by_the_broker_is_restarted_and_the_queue_drains(amqp_url: str) -> None:
    service = f"wd{uuid.uuid4().hex[:6]}"
    handled: list[str] = []

    async def handler(message: envelope.CloudEvent[Any]) -> None:
        handled.append(message.id)

    broker = messaging.make_broker(amqp_url, graceful_timeout=5)
    messaging.consume(broker, service=service, event=events.RewardTriggered, handler=handler, attempts=3)

    async def attach() -> None:
        await broker.connect()
        await messaging.declare_dead_letters(broker, service, [events.RewardTriggered])
        await broker.start()

    watchdog = Watchdog(broker, attach, interval=0.2)
    await watchdog.start()
    try:
        (subscriber,) = broker.subscribers
        # The broker forgets the consumer, but the client's channel still lists its tag: what a
        # stopped cluster node can leave behind. Nothing is delivered any more.
        underlay = await subscriber._queue_obj.channel.get_underlay_channel()
        tag = subscriber._consumer_tag
        callback = underlay.consumers[tag]
        await underlay.basic_cancel(tag)
        underlay.consumers[tag] = callback
        assert await consumer_alive(subscriber)  # the client-side check alone sees nothing wrong

        event = wrapped(a_reward_triggered(points=1))
        routing_key = events.RewardTriggered.routing_key
        await infra.publish_raw(amqp_url, [(envelope.to_json(event), event.id)], routing_key=routing_key)
        await infra.eventually(lambda: _handled(handled, event.id), timeout=20)
    finally:
        await watchdog.stop()
        await broker.stop()


async def _handled(handled: list[str], event_id: str) -> bool | None:
    return event_id in handled or None


async def test_stopping_the_watchdog_mid_check_leaves_in_flight_handlers_alone(amqp_url: str) -> None:
    """aiormq closes a channel whose RPC is cancelled: the watchdog's checks ran on the consumer's
    channel, so a SIGTERM during a check cancelled the handlers in flight (two-instances fault test)."""
    service = f"wd{uuid.uuid4().hex[:6]}"
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def handler(message: envelope.CloudEvent[Any]) -> None:
        started.set()
        await release.wait()
        finished.append(message.id)

    async with infra.reward_consumer(amqp_url, service, handler) as broker:
        try:
            event = wrapped(a_reward_triggered(points=1))
            routing_key = events.RewardTriggered.routing_key
            await infra.publish_raw(amqp_url, [(envelope.to_json(event), event.id)], routing_key=routing_key)
            await asyncio.wait_for(started.wait(), timeout=20)
            (subscriber,) = broker.subscribers
            for pause in range(30):  # stop at many points of a check, most of them inside an RPC
                watchdog = Watchdog(broker, _already_attached, interval=0)
                await watchdog.start()
                await asyncio.sleep(pause / 10_000)
                await watchdog.stop()
            assert not subscriber._queue_obj.channel.is_closed
            release.set()
            await infra.eventually(lambda: _handled(finished, event.id), timeout=10)
        finally:
            release.set()


async def _already_attached() -> None:
    return None
