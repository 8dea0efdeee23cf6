"""(b) Poison (not JSON, wrong schema, a handler that always raises) ends in the DLQ; the rest flows."""

import asyncio
import json
import os
import sys

import httpx
import pytest
from pymongo import AsyncMongoClient

from mutu import dlq
from tests import infra
from tests.builders import a_training_completed, random_nip, structured
from tests.faults import pipeline

pytestmark = pytest.mark.faults


async def corrupt_account(store_url: str, prefix: str, nip: str) -> None:
    """A damaged record: rewards' handler raises on every delivery for this person."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(store_url)
    try:
        await client[f"{prefix}rewards"]["accounts"].insert_one(
            {"_id": nip, "balance": "corrupt", "version": 1}
        )
    finally:
        await client.close()


async def dlq_cli(amqp_url: str) -> list[dict[str, str]]:
    """`mutu dlq list --json` as an operator runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mutu", "dlq", "list", "--json",
        env=os.environ | {"AMQP_URL": amqp_url}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0
    rows: list[dict[str, str]] = json.loads(out)
    return rows


async def test_poison_messages_are_dead_lettered_and_the_pipeline_keeps_flowing(
    fault_stack: infra.Stack,
    fault_keys: infra.Keys,
    fault_http: httpx.AsyncClient,
    fault_amqp_url: str,
    fault_stores: dict[str, str],
) -> None:
    prefix = fault_stack.env["MONGODB_DB_PREFIX"]
    damaged = random_nip()
    await corrupt_account(fault_stores["rewards"], prefix, damaged)
    wrong_schema = structured(a_training_completed(), event_id="poison-schema") | {"data": {"nip": "1"}}
    await infra.publish_raw(
        fault_amqp_url,
        [(b"\x00 not json", "poison-bytes"), (json.dumps(wrong_schema).encode(), "poison-schema")],
        routing_key="training.completed",
    )
    high = structured(
        a_training_completed(nip=damaged, score=95, passed=True, jp=1), event_id="poison-raises"
    )
    answer = await infra.post_cloudevent(
        fault_http, fault_stack.urls["training"], fault_keys.integrator, high
    )
    assert answer.status_code == 202

    scenario = pipeline.Scenario.make(300, 30, duplicates=0.10, seed=3)
    wants = scenario.expected()
    await scenario.post(fault_http, [fault_stack.urls["training"]], fault_keys.integrator)

    async def settled() -> pipeline.Tally | None:
        tally = pipeline.compare(wants, await pipeline.observed(fault_stores, prefix, list(wants)))
        return tally if tally.exact else None

    async def three_dead() -> list[dlq.DeadLetter] | None:
        letters = await dlq.list_dead_letters(fault_amqp_url)
        return letters if len(letters) >= 3 else None

    tally = await infra.eventually(settled, timeout=90)
    letters = {d.id: d for d in await infra.eventually(three_dead, timeout=60)}
    pipeline.report(
        "poison", scenario, await pipeline.drain_audit(fault_amqp_url), tally, dead_letters=len(letters)
    )
    assert letters["poison-bytes"].reason == "invalid"
    assert letters["poison-bytes"].queue == "evaluation.training.completed.dlq"
    assert letters["poison-schema"].reason == "invalid"
    (raised,) = [d for d in letters.values() if d.queue == "rewards.evaluation.reward_triggered.dlq"]
    assert raised.reason == "handler_failed"
    assert raised.type == "RewardTriggered"
    assert raised.error.startswith("ValidationError")  # the corrupt account no longer reads as one
    assert {row["id"] for row in await dlq_cli(fault_amqp_url)} == set(letters)  # listing consumed nothing
    assert tally.lost == 0
    assert tally.double == 0
