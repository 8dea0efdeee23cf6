"""Rewards on the real broker and store: two instances, redemptions under concurrency, reads, reconcile."""

import asyncio
import os
import subprocess
import sys
from collections import Counter
from typing import Any

import httpx
import pytest

from shared import messaging
from tests import infra
from tests.builders import a_reward_triggered, random_nip, wrapped

pytestmark = pytest.mark.e2e


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def balance(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, nip: str) -> int:
    answer = await http.get(f"{stack.urls['rewards']}/asn/{nip}/points", headers=auth(keys.reader))
    return int(answer.json()["balance"])


async def test_two_instances_book_each_trigger_once(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder, amqp_url: str
) -> None:
    second = stack.start("rewards")
    assert second.poll() is None
    people = [random_nip() for _ in range(20)]
    triggers = [
        wrapped(a_reward_triggered(nip=people[i % 20], points=1 + i % 7, unit_id="kel-tegalsari"))
        for i in range(200)
    ]
    deliveries = triggers + triggers[::10]  # 10% duplicates
    expected = Counter()
    for trigger in triggers:
        expected[trigger.data.nip] += trigger.data.points
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    publisher = messaging.Publisher(broker)
    await asyncio.gather(*(publisher.publish(t) for t in deliveries))
    await broker.stop()

    async def all_booked() -> bool:
        return all([await balance(http, stack, keys, nip) == total for nip, total in expected.items()])

    await infra.eventually(all_booked, timeout=60)

    async def all_announced() -> list[dict[str, Any]] | None:
        granted = [e for e in infra.events_on(bus, "rewards.points_granted") if e["data"]["nip"] in expected]
        return granted if len({e["id"] for e in granted}) >= len(triggers) else None

    granted = await infra.eventually(all_announced)
    assert len({e["data"]["ledger_entry_id"] for e in granted}) == len(triggers)
    print(
        f"\nrewards x2: sent {len(deliveries)}, distinct {len(triggers)}, booked {len({e['data']['ledger_entry_id'] for e in granted})}, double-counted 0"
    )


async def test_concurrent_redemptions_never_go_below_zero(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    nip = random_nip()
    answer = await http.post(
        f"{stack.urls['rewards']}/asn/{nip}/adjustments",
        json={"adjustment_id": "seed", "points": 50, "reason": "opening balance"},
        headers=auth(keys.admin),
    )
    assert answer.status_code == 201, answer.text

    async def redeem(n: int) -> int:
        body = {"nip": nip, "points": 10, "item": "batik voucher"}
        headers = auth(keys.integrator) | {"Idempotency-Key": f"k{n}"}
        return (
            await http.post(f"{stack.urls['rewards']}/redemptions", json=body, headers=headers)
        ).status_code

    statuses = await asyncio.gather(*(redeem(n) for n in range(20)))
    assert Counter(statuses) == {201: 5, 409: 15}
    assert await balance(http, stack, keys, nip) == 0
    assert await redeem(0) in {201, 409}  # a replayed key answers, and takes nothing more
    assert await balance(http, stack, keys, nip) == 0


async def test_adjustment_cannot_go_below_zero(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    answer = await http.post(
        f"{stack.urls['rewards']}/asn/{random_nip()}/adjustments",
        json={"adjustment_id": "x", "points": -5, "reason": "oops"},
        headers=auth(keys.admin),
    )
    assert answer.status_code == 409
    forbidden = await http.post(
        f"{stack.urls['rewards']}/asn/{random_nip()}/adjustments",
        json={"adjustment_id": "x", "points": 5, "reason": "oops"},
        headers=auth(keys.reader),
    )
    assert forbidden.status_code == 403


async def test_leaderboard_and_paged_ledger(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, amqp_url: str
) -> None:
    unit = infra.fresh_unit()
    a, b, c = sorted(random_nip() for _ in range(3))
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    publisher = messaging.Publisher(broker)
    for nip, points in ((a, 10), (b, 30), (c, 10), (a, 5), (a, 5)):
        await publisher.publish(wrapped(a_reward_triggered(nip=nip, points=points, unit_id=unit)))
    await broker.stop()

    async def ranked() -> list[dict[str, object]] | None:
        leaders = (
            await http.get(
                f"{stack.urls['rewards']}/leaderboard",
                params={"unit_id": unit, "period": "2026-Q4"},
                headers=auth(keys.reader),
            )
        ).json()["leaders"]
        return leaders if sum(int(row["points"]) for row in leaders) == 60 else None

    leaders = await infra.eventually(ranked)
    assert [(row["nip"], row["points"]) for row in leaders] == [(b, 30), (a, 20), (c, 10)]
    first = (
        await http.get(
            f"{stack.urls['rewards']}/asn/{a}/points", params={"limit": 2}, headers=auth(keys.reader)
        )
    ).json()
    assert len(first["ledger"]) == 2
    rest = (
        await http.get(
            f"{stack.urls['rewards']}/asn/{a}/points",
            params={"limit": 2, "before": first["next_before"]},
            headers=auth(keys.reader),
        )
    ).json()
    assert [e["seq"] for e in first["ledger"] + rest["ledger"]] == [3, 2, 1]


async def test_reconcile_finds_no_difference(stack: infra.Stack) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mutu", "rewards", "reconcile"],
        env=os.environ | stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 difference(s)" in result.stdout
