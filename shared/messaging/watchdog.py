"""Keeps a service attached to RabbitMQ: attaches late if it was down at boot, re-starts lost consumers.

aio-pika's robust connection restores channels and consumers after a reconnect, but a consumer can
still be lost (FastStream issue 2758: a node restart, a restore that failed half way). The
watchdog checks every subscriber's own consumer tag on its live channel, and asks the broker
whether the queue has any consumer at all (the client can believe it consumes after the broker
dropped the consumer, e.g. when a cluster node holding the queue stopped). It re-starts the
subscriber when either stays missing for two checks while the broker answers.

aiormq closes a channel whose RPC is cancelled or times out, and closing a consumer's channel
cancels its handlers in flight. So the watchdog asks the broker on a channel of its own, never on
a consumer's: stopping it mid-check (SIGTERM) or a slow answer costs only that channel.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiormq.abc
from faststream.rabbit import RabbitBroker

from shared.observability import metrics

logger = logging.getLogger(__name__)

Attach = Callable[[], Awaitable[None]]


async def consumer_alive(subscriber: Any) -> bool:
    """True when this subscriber's consumer tag is registered on an open channel."""
    queue, tag = getattr(subscriber, "_queue_obj", None), getattr(subscriber, "_consumer_tag", None)
    if queue is None or tag is None or queue.channel.is_closed:
        return False
    try:
        underlay = await queue.channel.get_underlay_channel()
    except Exception:  # noqa: BLE001 - any failure means "not consuming now"
        return False
    return tag in underlay.consumers and not underlay.is_closed


async def consumers_alive(broker: RabbitBroker) -> bool:
    """True when every subscriber of the broker has a live consumer on its queue."""
    results = [await consumer_alive(s) for s in broker.subscribers]
    return all(results)


class Watchdog:
    """Attaches to the broker (retrying while it is down), then re-starts lost consumers."""

    def __init__(self, broker: RabbitBroker, attach: Attach, *, interval: float = 2.0) -> None:
        self._broker = broker
        self._attach = attach
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.attached = False
        self._misses: dict[int, int] = {}
        self._probe: aiormq.abc.AbstractChannel | None = None

    async def start(self) -> None:
        """Attach now if the broker answers; otherwise keep trying in the background."""
        await self._try_attach()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._probe is not None:
            with contextlib.suppress(Exception):
                await self._probe.close()

    async def _try_attach(self) -> None:
        try:
            await self._attach()
        except Exception as error:  # noqa: BLE001 - the broker is down: serve HTTP, retry later
            logger.warning("broker unavailable (%s); retrying in the background", error)
        else:
            self.attached = True

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                if not self.attached:
                    await self._try_attach()
                else:
                    await self._check()
            except Exception:
                logger.exception("consumer watchdog check failed")

    async def _on_broker(self, subscriber: Any) -> bool:
        """False when the broker says the subscriber's queue has no consumer (True: cannot tell)."""
        queue = getattr(subscriber, "_queue_obj", None)
        if queue is None:
            return True
        try:
            probe = await self._probe_channel(await queue.channel.get_underlay_channel())
            declared = await probe.queue_declare(queue.name, passive=True, timeout=5)
        except Exception:  # noqa: BLE001 - unknown is not "lost": the tag check still runs
            return True
        return (declared.consumer_count or 0) > 0

    async def _probe_channel(self, consumer: aiormq.abc.AbstractChannel) -> aiormq.abc.AbstractChannel:
        """The watchdog's own channel on the consumer's connection, opened again when closed."""
        probe = self._probe
        if probe is None or probe.is_closed or probe.connection is not consumer.connection:
            probe = self._probe = await consumer.connection.channel(publisher_confirms=False)
        return probe

    async def _check(self) -> None:
        up = await self._broker.ping(timeout=2)
        metrics.BROKER_CONNECTED.set(1 if up and await consumers_alive(self._broker) else 0)
        if not up:
            return  # the robust connection is reconnecting; check again when it is back
        for subscriber in list(self._broker.subscribers):
            running = getattr(subscriber, "running", False)
            if not running or (await consumer_alive(subscriber) and await self._on_broker(subscriber)):
                self._misses.pop(id(subscriber), None)
                continue
            misses = self._misses[id(subscriber)] = self._misses.get(id(subscriber), 0) + 1
            if misses >= 2:  # noqa: PLR2004 - give aio-pika's own restore one interval first
                logger.warning("consumer lost on %s; re-starting it", subscriber)
                metrics.CONSUMER_RESTARTS.inc()
                with contextlib.suppress(Exception):
                    await subscriber.stop()
                await subscriber.start()
                self._misses.pop(id(subscriber), None)
