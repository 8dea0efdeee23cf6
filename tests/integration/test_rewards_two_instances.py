"""Two rewards instances consuming at once on the real broker and store: exact balances, one grant each."""

import asyncio
import datetime as dt
import random
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from pymongo import AsyncMongoClient

from mutu import launcher
from mutu.rewards import reconcile
from services.rewards import ledger
from shared import messaging
from shared.contract import envelope, events
from shared.contract.calendar import Calendar
from shared.persistence import sealed
from tests import infra
from tests.builders import a_reward_triggered, random_nip, wrapped

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pair(stack: infra.Stack) -> Iterator[list[str]]:
    """The session's rewards instance plus a second one on the same queue and database."""
    second = infra.Stack(stack.env)
    second.start("rewards")
    try:
        launcher.wait_healthy([second.urls["rewards"]], timeout=60)
        yield [stack.urls["rewards"], second.urls["rewards"]]
    finally:
        second.stop_all()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def database(stack: infra.Stack) -> str:
    return f"{stack.env['MONGODB_DB_PREFIX']}rewards"


async def publish(amqp_url: str, deliveries: list[envelope.CloudEvent[Any]]) -> None:
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    try:
        publisher = messaging.Publisher(broker)
        await asyncio.gather(*(publisher.publish(t) for t in deliveries))
    finally:
        await broker.stop()


def with_duplicates(triggers: list[envelope.CloudEvent[Any]], seed: int) -> list[envelope.CloudEvent[Any]]:
    """Each trigger delivered one to three times, shuffled: redeliveries race the first delivery."""
    rng = random.Random(seed)
    deliveries = [t for t in triggers for _ in range(rng.randint(1, 3))]
    rng.shuffle(deliveries)
    return deliveries


async def points(http: httpx.AsyncClient, url: str, key: str, nip: str, **params: int) -> dict[str, Any]:
    answer = await http.get(f"{url}/asn/{nip}/points", params=params, headers=auth(key))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


async def queue_drained(amqp_url: str) -> bool:
    """No RewardTriggered waits or is being handled (ready + unacknowledged) on the rewards queue."""
    vhost = unquote(urlsplit(amqp_url).path[1:]) or "/"
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    counts = dict(line.split("\t") for line in listed.splitlines() if "\t" in line)
    return counts.get(messaging.queue_name("rewards", events.RewardTriggered)) == "0"


def granted_for(bus: infra.BusRecorder, people: set[str]) -> list[dict[str, Any]]:
    return [e for e in infra.events_on(bus, "rewards.points_granted") if e["data"]["nip"] in people]


async def test_many_triggers_with_duplicates_book_once_each_across_two_instances(
    pair: list[str], keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder, amqp_url: str
) -> None:
    people = [random_nip() for _ in range(12)]
    triggers = [
        wrapped(a_reward_triggered(nip=people[i % 12], points=1 + i % 9, unit_id="kel-jomblang"))
        for i in range(360)
    ]
    deliveries = with_duplicates(triggers, seed=6)
    expected = Counter[str]()
    for trigger in triggers:
        expected[trigger.data.nip] += trigger.data.points
    started = time.monotonic()
    await publish(amqp_url, deliveries)

    async def all_announced() -> bool:
        return len({e["id"] for e in granted_for(bus, set(people))}) >= len(triggers)

    await infra.eventually(all_announced, timeout=120)
    elapsed = time.monotonic() - started
    for nip in people:
        for url in pair:
            assert (await points(http, url, keys.reader, nip))["balance"] == expected[nip]
    granted = {e["id"]: e["data"] for e in granted_for(bus, set(people))}
    assert len(granted) == len(triggers)
    assert len({g["ledger_entry_id"] for g in granted.values()}) == len(triggers)
    ledgers = [await points(http, pair[0], keys.reader, nip, limit=200) for nip in people]
    causes = [entry["cause"] for page in ledgers for entry in page["ledger"]]
    assert sorted(causes) == sorted(t.id for t in triggers)
    for page in ledgers:
        assert [e["seq"] for e in page["ledger"]] == list(range(len(page["ledger"]), 0, -1))
        assert all(e["rule_id"] and e["reason"] for e in page["ledger"])
    print(f"\nrewards x2: {len(deliveries)} deliveries, {len(triggers)} triggers, booked in {elapsed:.1f}s")


async def test_redemptions_through_both_instances_never_overdraw(
    pair: list[str], keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    seed = await http.post(
        f"{pair[1]}/asn/{nip}/adjustments",
        json={"points": 55, "reason": "opening balance"},
        headers=auth(keys.admin) | {"Idempotency-Key": "opening"},
    )
    assert seed.status_code == 201, seed.text

    async def redeem(n: int, instance: int) -> httpx.Response:
        body = {"nip": nip, "points": 10, "item": "batik voucher", "idempotency_key": f"order-{n}"}
        return await http.post(f"{pair[instance]}/redemptions", json=body, headers=auth(keys.integrator))

    answers = await asyncio.gather(*(redeem(n, n % 2) for n in range(24)))
    assert Counter(a.status_code for a in answers) == {201: 5, 409: 19}
    account = await points(http, pair[0], keys.reader, nip)
    assert account["balance"] == 5
    assert [e["balance_after"] for e in account["ledger"]] == [5, 15, 25, 35, 45, 55]
    taken = [n for n, a in enumerate(answers) if a.status_code == 201]
    for n in taken:  # the same key answers the same result, through either instance, and takes nothing
        again = await redeem(n, (n + 1) % 2)
        assert again.status_code == 201
        assert again.json() == answers[n].json()
    misused = await http.post(
        f"{pair[0]}/redemptions",
        json={"nip": nip, "points": 1, "item": "batik voucher"},
        headers=auth(keys.integrator) | {"Idempotency-Key": f"order-{taken[0]}"},
    )
    assert misused.status_code == 422
    assert (await points(http, pair[1], keys.reader, nip))["balance"] == 5

    async def redeemed() -> list[dict[str, Any]] | None:
        seen = [e for e in infra.events_on(bus, "rewards.redeemed") if e["data"]["nip"] == nip]
        return seen if len({e["id"] for e in seen}) == 5 else None

    assert sorted({e["data"]["balance"] for e in await infra.eventually(redeemed)}) == [5, 15, 25, 35, 45]


async def test_old_entries_move_to_pages_and_a_late_redelivery_still_books_nothing(
    stack: infra.Stack, pair: list[str], keys: infra.Keys, http: httpx.AsyncClient, amqp_url: str
) -> None:
    nip = random_nip()
    triggers = [wrapped(a_reward_triggered(nip=nip, points=1)) for _ in range(3 * ledger.PAGE + ledger.KEEP)]
    await publish(amqp_url, with_duplicates(triggers, seed=7))

    async def booked() -> bool:
        return (await points(http, pair[0], keys.reader, nip))["entries_total"] == len(triggers)

    await infra.eventually(booked, timeout=120)
    assert (await points(http, pair[1], keys.reader, nip))["balance"] == len(triggers)
    await publish(amqp_url, triggers[: ledger.PAGE])  # redelivered long after: their entries are in pages
    await infra.eventually(lambda: queue_drained(amqp_url), timeout=60)
    seqs: list[int] = []
    before: int | None = None
    while True:
        paging = {"limit": 37} | ({"before": before} if before else {})
        page = await points(http, pair[len(seqs) % 2], keys.reader, nip, **paging)
        seqs += [e["seq"] for e in page["ledger"]]
        before = page["next_before"]
        if before is None:
            break
    assert seqs == list(range(len(triggers), 0, -1))
    assert page["balance"] == len(triggers)
    async with AsyncMongoClient(stack.store_url("rewards")) as client:
        account = await client[database(stack)]["accounts"].find_one({"_id": nip})
        assert account is not None
        assert len(sealed.merged(account, "entries")) < ledger.PAGE + ledger.KEEP
        assert account["archived"] == 3
    assert not [d for d in await reconcile(stack.store_url("rewards"), database(stack)) if d["nip"] == nip]


async def test_leaderboard_of_a_thousand_people_reads_one_document(
    pair: list[str], keys: infra.Keys, http: httpx.AsyncClient, amqp_url: str
) -> None:
    unit = f"kel-board-{random.randrange(10**6)}"
    people = [random_nip() for _ in range(1000)]
    rng = random.Random(3)
    scores = {nip: rng.randint(1, 40) for nip in people}
    triggers = [wrapped(a_reward_triggered(nip=n, points=p, unit_id=unit)) for n, p in scores.items()]
    started = time.monotonic()
    await publish(amqp_url, triggers)
    expected = sorted(scores.items(), key=lambda row: (-row[1], row[0]))[:50]

    async def ranked() -> list[dict[str, Any]] | None:
        answer = await http.get(
            f"{pair[0]}/leaderboard",
            params={"unit_id": unit, "period": Calendar().quarter_of(dt.datetime.now(dt.UTC)), "limit": 50},
            headers=auth(keys.reader),
        )
        leaders: list[dict[str, Any]] = answer.json()["leaders"]
        return leaders if [(r["nip"], r["points"]) for r in leaders] == expected else None

    await infra.eventually(ranked, timeout=240)
    booked = time.monotonic() - started
    began = time.monotonic()
    for _ in range(20):
        await ranked()
    read_ms = (time.monotonic() - began) / 20 * 1000
    print(f"\nleaderboard: 1000 people booked and ranked in {booked:.1f}s; GET /leaderboard {read_ms:.1f} ms")
    assert read_ms < 200
