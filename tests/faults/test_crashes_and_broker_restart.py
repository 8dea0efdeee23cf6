"""(a) Thousands of events, 10% resent, consumers SIGKILLed twice and RabbitMQ restarted once: exact totals."""

import asyncio
import os
import time

import httpx
import pytest

from tests import infra
from tests.faults import pipeline
from tests.faults.conftest import restart_rabbitmq

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]

# 2,000 distinct events by default; FAULTS_EVENTS scales the run (e.g. on a busy machine).
EVENTS = int(os.environ.get("FAULTS_EVENTS", "2000"))
PEOPLE = max(EVENTS // 10, 1)


async def until(scenario: pipeline.Scenario, accepted: int, posting: asyncio.Task[None]) -> None:
    while scenario.accepted < accepted and not posting.done():
        await asyncio.sleep(0.05)


async def inject(stack: infra.Stack, scenario: pipeline.Scenario, posting: asyncio.Task[None]) -> list[str]:
    """The faults, each at a point of the stream: what happened, for the report."""
    log = []
    await until(scenario, EVENTS // 4, posting)
    stack.kill("evaluation")
    stack.restart("evaluation")
    log.append(f"kill evaluation @{scenario.accepted}")
    await until(scenario, EVENTS // 2, posting)
    outage = await asyncio.to_thread(restart_rabbitmq)
    log.append(f"rabbitmq restart @{scenario.accepted} ({outage:.1f}s)")
    await stack.ready()  # the restarted evaluation is consuming again
    await until(scenario, EVENTS * 3 // 4, posting)
    stack.kill("evaluation")
    stack.restart("evaluation")
    log.append(f"kill evaluation @{scenario.accepted}")
    stack.kill("rewards")
    stack.restart("rewards")
    log.append(f"kill rewards @{scenario.accepted}")
    return log


async def test_nothing_is_lost_or_counted_twice_through_crashes_and_a_broker_restart(
    fault_stack: infra.Stack,
    fault_keys: infra.Keys,
    fault_http: httpx.AsyncClient,
    fault_amqp_url: str,
    fault_stores: dict[str, str],
) -> None:
    scenario = pipeline.Scenario.make(EVENTS, PEOPLE, duplicates=0.10, seed=1)
    wants = scenario.expected()
    nips = list(wants)
    prefix = fault_stack.env["MONGODB_DB_PREFIX"]
    started = time.monotonic()
    posting = asyncio.create_task(
        scenario.post(fault_http, [fault_stack.urls["training"]], fault_keys.integrator)
    )
    faults = await inject(fault_stack, scenario, posting)
    await posting
    posted = time.monotonic() - started
    await fault_stack.ready()

    async def settled() -> pipeline.Tally | None:
        tally = pipeline.compare(wants, await pipeline.observed(fault_stores, prefix, nips))
        return tally if tally.exact else None

    try:
        await infra.eventually(settled, timeout=150)
    finally:
        tally = pipeline.compare(wants, await pipeline.observed(fault_stores, prefix, nips))
        seen = await pipeline.drain_audit(fault_amqp_url)
        pipeline.report(
            "crashes+broker-restart",
            scenario,
            seen,
            tally,
            posted_s=f"{posted:.0f}",
            settled_s=f"{time.monotonic() - started:.0f}",
            refused=dict(scenario.refused),
            faults=faults,
        )
    assert scenario.accepted == EVENTS + len(scenario.resend)
    assert tally.lost == 0
    assert tally.double == 0
    assert tally.exact
    assert sum(w.points for w in wants.values()) > 0
