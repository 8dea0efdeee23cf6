"""(c) Two instances of every consumer at once give a clean pass's totals; SIGTERM stops them cleanly."""

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from mutu import launcher
from tests import infra
from tests.faults import pipeline
from tests.faults.conftest import SERVICES

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


async def test_two_instances_of_each_service_count_exactly_once(
    fault_stack: infra.Stack,
    fault_keys: infra.Keys,
    fault_http: httpx.AsyncClient,
    fault_amqp_url: str,
    fault_stores: dict[str, str],
    tmp_path: Path,
) -> None:
    first = dict(fault_stack.urls)
    logs = {service: tmp_path / f"{service}-2.log" for service in SERVICES}
    extra = {service: fault_stack.start_another(service, logs[service]) for service in SERVICES}
    seconds = {service: url for service, (_, url) in extra.items()}
    await asyncio.to_thread(launcher.wait_healthy, list(seconds.values()), 120)
    prefix = fault_stack.env["MONGODB_DB_PREFIX"]
    scenario = pipeline.Scenario.make(600, 60, duplicates=0.10, seed=4)
    wants = scenario.expected()
    started = time.monotonic()
    await scenario.post(fault_http, [first["training"], seconds["training"]], fault_keys.integrator)

    # Graceful stop while the consumers still work through the stream: in-flight work finishes.
    codes = await asyncio.gather(
        *(asyncio.to_thread(fault_stack.stop_gracefully, p) for p, _ in extra.values())
    )

    async def settled() -> pipeline.Tally | None:
        tally = pipeline.compare(wants, await pipeline.observed(fault_stores, prefix, list(wants)))
        return tally if tally.exact else None

    try:
        await infra.eventually(settled, timeout=90)
    finally:
        tally = pipeline.compare(wants, await pipeline.observed(fault_stores, prefix, list(wants)))
        seen = await pipeline.drain_audit(fault_amqp_url)
        pipeline.report(
            "two-instances", scenario, seen, tally, sigterm_exit_codes=codes,
            settled_s=f"{time.monotonic() - started:.0f}",
        )  # fmt: skip
    # uvicorn re-raises SIGTERM after its graceful shutdown, so the exit status is -15 either way;
    # the log shows the lifespan finished (consumers stopped, in-flight done, outbox flushed).
    for service, log in logs.items():
        text = log.read_text()
        assert "Application shutdown complete" in text, f"{service}:\n{text[-4000:]}"
        assert "Traceback" not in text, f"{service}:\n{text[-4000:]}"
    assert codes == [-signal.SIGTERM] * 3
    assert tally.lost == 0
    assert tally.double == 0
