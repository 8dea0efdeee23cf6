"""End to end: TrainingCompleted over HTTP to RewardPointsGranted on the bus (throughput, latency)."""

import asyncio
import json
import random
import statistics
import time
from dataclasses import dataclass, field

import aio_pika
import httpx

from shared.contract import envelope
from tests import infra
from tests.builders import a_training_completed, random_id, random_nip, structured


@dataclass
class Granted:
    """Every event on the bus (an exclusive queue bound to `#`), and when each nip got points.

    Counted by event id: a redelivered or republished copy is neither a second grant nor a
    second event produced; `copies` counts the messages themselves.
    """

    at: dict[str, float] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    produced: set[str] = field(default_factory=set)
    copies: int = 0
    last: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def listen(self, amqp_url: str) -> aio_pika.abc.AbstractRobustConnection:
        connection = await aio_pika.connect_robust(amqp_url)
        channel = await connection.channel()
        exchange = await channel.declare_exchange("mutu.events", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, routing_key="#")
        await queue.consume(self._on_message, no_ack=True)
        return connection

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        now = time.perf_counter()
        event = json.loads(message.body)
        self.copies += 1
        self.produced.add(event["id"])
        if message.routing_key != "rewards.points_granted":
            return
        self.at.setdefault(event["data"]["nip"], now)
        if event["id"] not in self.ids:
            self.ids.add(event["id"])
            self.last = now
        self.changed.set()

    async def wait_for(self, count: int, timeout: float, nips: set[str] | None = None) -> None:
        """Until `count` distinct grants arrived (and, with `nips`, one for each of them)."""
        deadline = time.perf_counter() + timeout
        while len(self.ids) < count or (nips is not None and not nips <= self.at.keys()):
            self.changed.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                msg = f"only {len(self.ids)} of {count} RewardPointsGranted arrived"
                raise TimeoutError(msg)
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)
            except TimeoutError:
                continue


ROSTER = [random_nip(random.Random(seed)) for seed in range(300)]


def bodies(
    count: int, *, roster: bool = False, people: int = len(ROSTER)
) -> list[tuple[str, dict[str, object]]]:
    """`count` TrainingCompleted of distinct programmes (score 90: each earns a reward).

    With `roster`, the people come from a kecamatan-sized roster of 300, its first `people` (many
    events per person);
    otherwise every event is a new person (for latency, matched by nip).
    """
    out: list[tuple[str, dict[str, object]]] = []
    for i in range(count):
        nip = ROSTER[i % people] if roster else random_nip()
        done = a_training_completed(nip=nip, score=90, passed=True)
        out.append((done.nip, structured(done, event_id=random_id())))
    return out


def expected_grants(sent: list[tuple[str, dict[str, object]]], jp_duty: int = 20) -> int:
    """One +10 per training (score 90), plus one per person and year reaching the 20-JP duty."""
    jp: dict[tuple[str, str], int] = {}
    for nip, body in sent:
        data = body["data"]
        assert isinstance(data, dict)
        key = (nip, str(data["completed_at"])[:4])
        jp[key] = jp.get(key, 0) + int(data["jp"])
    return len(sent) + sum(total >= jp_duty for total in jp.values())


async def _post(client: httpx.AsyncClient, url: str, key: str, body: dict[str, object]) -> float:
    answer = await client.post(
        f"{url}/events",
        json=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": envelope.CONTENT_TYPE},
    )
    answer.raise_for_status()
    return time.perf_counter()


async def throughput(
    stack: infra.Stack, keys: infra.Keys, amqp_url: str, count: int, *, people: int = len(ROSTER)
) -> dict[str, float]:
    """`count` trainings of the first `people` of the roster, as fast as 32 clients post them."""
    granted = Granted()
    connection = await granted.listen(amqp_url)
    gate = asyncio.Semaphore(32)
    url = stack.urls["training"]
    async with httpx.AsyncClient(timeout=60) as client:

        async def post(body: dict[str, object]) -> None:
            async with gate:
                await _post(client, url, keys.integrator, body)

        sent = bodies(count, roster=True, people=people)
        start = time.perf_counter()
        await asyncio.gather(*(post(body) for _, body in sent))
        posted = time.perf_counter() - start
        grants = expected_grants(sent)
        await granted.wait_for(grants, timeout=max(120, count / 5))
        elapsed = granted.last - start
        await asyncio.sleep(2)  # late copies, if any, still count as messages
    await connection.close()
    return {
        "events": count,
        "events_per_s": count / elapsed,
        "http_posts_per_s": count / posted,
        "grants": grants,
        "events_produced": len(granted.produced),
        "bus_messages_per_event_produced": granted.copies / len(granted.produced),
    }


async def latency(
    stack: infra.Stack, keys: infra.Keys, amqp_url: str, rate: float, *, roster: bool, count: int = 300
) -> dict[str, float]:
    """Post at a fixed `rate`; latency = RewardPointsGranted arrival minus the 202 answer.

    With `roster`, one training for each person of the roster (known people: the steady state of
    a kecamatan); otherwise as many first-time people, whose documents are all new.
    """
    count = min(count, len(ROSTER))
    granted = Granted()
    connection = await granted.listen(amqp_url)
    accepted: dict[str, float] = {}
    url = stack.urls["training"]
    async with httpx.AsyncClient(timeout=60) as client:

        async def post(nip: str, body: dict[str, object]) -> None:
            accepted[nip] = await _post(client, url, keys.integrator, body)

        tasks = []
        start = time.perf_counter()
        for i, (nip, body) in enumerate(bodies(count, roster=roster)):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(post(nip, body)))
        await asyncio.gather(*tasks)
        await granted.wait_for(count, timeout=120, nips=set(accepted))
    await connection.close()
    samples = sorted((granted.at[nip] - accepted[nip]) * 1000 for nip in accepted)
    cuts = statistics.quantiles(samples, n=100)
    figures = {"rate_per_s": rate, "events": count, "roster": roster}
    return figures | {"p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98]}
