"""Baseline: bare FastStream publish-to-handled on the same broker (pydantic body, confirms, persist)."""

import asyncio
import logging
import time
import uuid

from faststream.rabbit import Channel, RabbitBroker, RabbitQueue
from pydantic import BaseModel


class Ping(BaseModel):
    nip: str
    n: int


async def measure(amqp_url: str, count: int, in_flight: int = 256) -> dict[str, float]:
    """Messages/s and CPU seconds per 1,000 messages, publisher and consumer in one process."""
    broker = RabbitBroker(amqp_url, log_level=logging.DEBUG)  # no per-message log lines, like the services
    queue = RabbitQueue(f"bench.baseline.{uuid.uuid4().hex[:8]}", auto_delete=True)
    handled = 0
    done = asyncio.Event()

    @broker.subscriber(queue, channel=Channel(prefetch_count=256))
    async def on_ping(ping: Ping) -> None:
        nonlocal handled
        handled += 1
        if handled >= count:
            done.set()

    async with broker:
        await broker.start()
        gate = asyncio.Semaphore(in_flight)

        async def publish(n: int) -> None:
            async with gate:
                await broker.publish(Ping(nip="198609262015051001", n=n), queue=queue, persist=True)

        cpu, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(publish(n) for n in range(count)))
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"messages_per_s": count / elapsed, "cpu_s_per_1000": cpu / count * 1000}
