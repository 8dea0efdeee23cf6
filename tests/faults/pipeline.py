"""Driving the training -> evaluation -> rewards pipeline and checking it against a clean pass.

`Scenario` holds distinct TrainingCompleted events (plus resends of some), computes what one
clean pass of the default rules gives (points, rule firings, JP per person), posts them over HTTP
and reads the services' stores to report what was lost or counted twice.
"""

import asyncio
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import httpx
from pymongo import AsyncMongoClient

from shared.contract import events
from shared.persistence import sealed
from tests import infra
from tests.builders import random_nip, structured

HIGH, LOW, DUTY = 85, 70, 20  # default rules: reward >= 85 (10 pts), retrain < 70, 20 JP a year (20 pts)
AUDIT_QUEUE = "faults.audit"


@dataclass
class Want:
    trainings: int = 0
    jp: int = 0
    rewards: int = 0
    recommendations: int = 0
    points: int = 0


@dataclass
class Scenario:
    """Distinct completions for `people` persons, and `resend` of them posted a second time."""

    events: list[tuple[str, events.TrainingCompleted]]
    resend: list[int]
    sent: int = 0
    accepted: int = 0
    refused: Counter[int] = field(default_factory=Counter)

    @classmethod
    def make(cls, count: int, people: int, *, duplicates: float, seed: int) -> "Scenario":
        rng = random.Random(seed)
        nips = [random_nip(rng) for _ in range(people)]
        made = []
        for i in range(count):
            score = rng.choice([50, 65, 75, 80, 86, 90, 95])
            done = events.TrainingCompleted(
                nip=nips[i % people],
                program_id=f"prog-{seed}-{i}",
                competency="digital_service",
                method="classroom",
                jp=rng.randint(1, 4),
                score=score,
                passed=score >= 60,
                unit_id="kel-candi",
                completed_at="2026-11-02T09:00:00+07:00",  # type: ignore[arg-type]
            )
            made.append((f"ev-{seed}-{i}", done))
        return cls(made, rng.sample(range(count), int(count * duplicates)))

    def expected(self) -> dict[str, Want]:
        """What a single clean pass of the default rules computes, per person."""
        wants: dict[str, Want] = {}
        for _, done in self.events:
            want = wants.setdefault(done.nip, Want())
            want.trainings += 1
            if done.passed:  # the duty (and its 20-JP reward) counts passed trainings only
                want.jp += done.jp
            if done.passed and done.score >= HIGH:
                want.rewards, want.points = want.rewards + 1, want.points + 10
            elif not done.passed or done.score < LOW:
                want.recommendations += 1
        for want in wants.values():
            if want.jp >= DUTY:
                want.rewards, want.points = want.rewards + 1, want.points + 20
        return wants

    def bodies(self) -> list[dict[str, Any]]:
        """Every event once, then the resends shuffled into the second half of the stream."""
        first = [structured(done, event_id=event_id) for event_id, done in self.events]
        again = [first[i] for i in self.resend]
        head, tail = first[: len(first) // 2], first[len(first) // 2 :] + again
        random.Random(len(first)).shuffle(tail)
        return head + tail

    async def post(self, http: httpx.AsyncClient, urls: list[str], key: str, *, workers: int = 12) -> None:
        """POST every body; a refused or failed request is retried on the next instance."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for body in self.bodies():
            queue.put_nowait(body)

        async def worker(n: int) -> None:
            while not queue.empty():
                body = queue.get_nowait()
                for attempt in range(60):
                    self.sent += 1
                    url = urls[(n + attempt) % len(urls)]
                    try:
                        answer = await infra.post_cloudevent(http, url, key, body)
                    except httpx.HTTPError:
                        self.refused[0] += 1
                        await asyncio.sleep(0.5)
                        continue
                    if answer.status_code == 202:
                        self.accepted += 1
                        break
                    self.refused[answer.status_code] += 1
                    await asyncio.sleep(0.5)

        await asyncio.gather(*(worker(n) for n in range(workers)))


@dataclass
class Got:
    trainings: int = 0
    jp: int = 0
    firings: int = 0
    rewards: int = 0
    points: int = 0


async def observed(stores: Mapping[str, str], prefix: str, nips: list[str]) -> dict[str, Got]:
    """What evaluation and rewards hold now, per person, read from their databases (on their stores)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stores["evaluation"], tz_aware=True)
    rewards: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stores["rewards"], tz_aware=True)
    try:
        got = {nip: Got() for nip in nips}
        people = client[f"{prefix}evaluation"]["people"]
        fields = {**sealed.projection("trainings"), **sealed.projection("firings"), "jp": 1}
        async for doc in people.find({"_id": {"$in": nips}}, fields):
            row = got[doc["_id"]]
            row.trainings = len(sealed.merged(doc, "trainings"))
            row.jp = int(doc.get("jp", {}).get("2026", 0))
            row.firings = len(sealed.merged(doc, "firings"))
        accounts = rewards[f"{prefix}rewards"]["accounts"]
        async for doc in accounts.find({"_id": {"$in": nips}}, {"balance": 1, "seq": 1}):
            got[doc["_id"]].points = doc.get("balance", 0)
            got[doc["_id"]].rewards = int(doc.get("seq", 0))
        return got
    finally:
        await client.close()
        await rewards.close()


@dataclass
class Tally:
    lost: int = 0
    double: int = 0
    exact: bool = True

    def add(self, got: int, want: int) -> None:
        self.lost += max(0, want - got)
        self.double += max(0, got - want)
        self.exact &= got == want


def compare(wants: dict[str, Want], gots: dict[str, Got]) -> Tally:
    """Lost and double-counted effects: trainings counted, rule firings, ledger entries, points."""
    tally = Tally()
    for nip, want in wants.items():
        got = gots[nip]
        tally.add(got.trainings, want.trainings)
        tally.add(got.firings, want.rewards + want.recommendations)
        tally.add(got.rewards, want.rewards)
        tally.exact &= got.jp == want.jp and got.points == want.points
    return tally


async def declare_audit(amqp_url: str, *, quorum: bool = False) -> None:
    """A durable queue that keeps a copy of everything published (survives the broker restart).

    On a cluster it must be a quorum queue: a classic one lives on one node and would miss what
    is published while that node is down.
    """
    arguments = {"x-queue-type": "quorum"} if quorum else None
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("mutu.events", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(AUDIT_QUEUE, durable=True, arguments=arguments)
        await queue.bind(exchange, routing_key="#")


async def drain_audit(amqp_url: str) -> Counter[tuple[str, str]]:
    """(routing key, message id) -> how many times it was published; empties the audit queue."""
    seen: Counter[tuple[str, str]] = Counter()
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=500)
        queue = await channel.declare_queue(AUDIT_QUEUE, passive=True)  # classic or quorum
        async with queue.iterator() as messages:
            while True:
                try:
                    message = await asyncio.wait_for(anext(messages), timeout=1.5)
                except TimeoutError:
                    break
                seen[(message.routing_key or "", message.message_id or "")] += 1
                await message.ack()
    return seen


def bus_figures(seen: Counter[tuple[str, str]], routing_key: str) -> tuple[int, int]:
    """Messages published with this routing key, and how many distinct ids they carried."""
    rows = {k: n for k, n in seen.items() if k[0] == routing_key}
    return sum(rows.values()), len(rows)


def report(
    name: str, scenario: Scenario, seen: Counter[tuple[str, str]], tally: Tally, **extra: object
) -> str:
    delivered, distinct = bus_figures(seen, "training.completed")
    duplicates = (scenario.accepted - len(scenario.events)) + (delivered - distinct)
    line = (
        f"FAULTS {name}: sent={scenario.sent} accepted={scenario.accepted} distinct={len(scenario.events)} "
        f"delivered={delivered} duplicates_dropped={duplicates} lost={tally.lost} "
        f"double_counted={tally.double}"
    )
    rewards, reward_ids = bus_figures(seen, "evaluation.reward_triggered")
    line += f" rewards_published={rewards} reward_firings={reward_ids}"
    line += "".join(f" {k}={v}" for k, v in extra.items())
    print(f"\n{line}")
    return line
