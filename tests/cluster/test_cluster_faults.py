"""3,000 events through a three-node RabbitMQ cluster behind HAProxy: the leader of the busiest
queues crashes and comes back, then another node stops; nothing is lost or counted twice."""

import asyncio
import os
import time
from collections import Counter

import httpx
import pytest

from tests import infra
from tests.cluster.local import Cluster, Node
from tests.faults import pipeline

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(1500)]

# CLUSTER_EVENTS scales the run down on a busy machine; the issue asks for 3,000.
EVENTS = int(os.environ.get("CLUSTER_EVENTS", "3000"))
PEOPLE = max(EVENTS // 10, 1)
PIPELINE = ("evaluation.training.completed", "rewards.evaluation.reward_triggered")


def busiest_leader(cluster: Cluster) -> Node:
    """The node leading the pipeline's queues with the most messages (ties: the most queues led)."""
    load: Counter[str] = Counter()
    for name, row in cluster.leaders().items():
        if name in PIPELINE:
            load[row["leader"]] += 1 + 1000 * int(row.get("messages") or 0)
    return cluster.node(load.most_common(1)[0][0])


async def until(scenario: pipeline.Scenario, accepted: int, posting: asyncio.Task[None]) -> None:
    while scenario.accepted < accepted and not posting.done():
        await asyncio.sleep(0.05)


async def inject(
    cluster: Cluster, stack: infra.Stack, scenario: pipeline.Scenario, posting: asyncio.Task[None]
) -> list[str]:
    """Crash the busiest leader, bring it back, then stop another node: what happened, for the report."""
    log = []
    await until(scenario, EVENTS // 4, posting)
    leader = await asyncio.to_thread(busiest_leader, cluster)
    started = time.monotonic()
    await asyncio.to_thread(leader.stop, crash=True)
    await stack.ready()  # every service consumes again, through HAProxy, without a restart
    log.append(
        f"kill -9 {leader.short} @{scenario.accepted} (consuming again in {time.monotonic() - started:.1f}s)"
    )
    await asyncio.to_thread(leader.start)
    await asyncio.to_thread(leader.await_startup)
    log.append(f"{leader.short} back @{scenario.accepted} ({time.monotonic() - started:.1f}s)")
    await until(scenario, EVENTS * 3 // 4, posting)
    other = next(n for n in cluster.nodes if n is not leader)
    started = time.monotonic()
    await asyncio.to_thread(other.await_quorum_plus_one)  # as a rolling restart would
    log.append(f"{other.short} safe to stop after {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    await asyncio.to_thread(other.stop)
    await stack.ready()
    log.append(
        f"stop {other.short} @{scenario.accepted} (consuming again in {time.monotonic() - started:.1f}s)"
    )
    return log


def queue_states(cluster: Cluster) -> dict[str, str]:
    """Per queue: ready messages, leader and replicas online (for the report)."""
    return {
        name: (
            f"{row['messages']} msgs ({row['messages_unacknowledged']} unacked), {row['consumers']} consumers, "
            f"leader {row['leader'].split('@')[0]}, online {len(row['online'])}/{len(row['members'])}"
        )
        for name, row in cluster.leaders().items()
        if row["type"] == "quorum"
    }


async def handled(stack: infra.Stack) -> dict[str, list[str]]:
    """Each service's mutu_events_consumed_total lines (for the report when a pipeline stalls)."""
    lines = {}
    async with httpx.AsyncClient(timeout=10) as http:
        for service, url in stack.urls.items():
            try:
                text = (await http.get(f"{url}/metrics")).text
            except httpx.HTTPError as error:
                lines[service] = [f"unreachable: {error!r}"]
                continue
            lines[service] = [
                line for line in text.splitlines() if line.startswith("mutu_events_consumed_total")
            ]
    return lines


def replicas(cluster: Cluster) -> dict[str, int]:
    return {name: len(row["members"]) for name, row in cluster.leaders().items() if row["type"] == "quorum"}


async def test_quorum_queues_have_three_replicas(cluster: Cluster, cluster_stack: infra.Stack) -> None:
    counts = await asyncio.to_thread(replicas, cluster)
    assert set(PIPELINE) <= set(counts)
    assert set(counts.values()) == {3}, counts


async def test_nothing_is_lost_or_counted_twice_when_cluster_nodes_fail(
    cluster: Cluster,
    cluster_stack: infra.Stack,
    cluster_keys: infra.Keys,
    cluster_stores: dict[str, str],
) -> None:
    scenario = pipeline.Scenario.make(EVENTS, PEOPLE, duplicates=0.10, seed=22)
    wants = scenario.expected()
    nips = list(wants)
    prefix = cluster_stack.env["MONGODB_DB_PREFIX"]
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=32)) as http:
        posting = asyncio.create_task(
            scenario.post(http, [cluster_stack.urls["training"]], cluster_keys.integrator)
        )
        faults = await inject(cluster, cluster_stack, scenario, posting)
        await posting
    posted = time.monotonic() - started

    async def settled() -> pipeline.Tally | None:
        tally = pipeline.compare(wants, await pipeline.observed(cluster_stores, prefix, nips))
        return tally if tally.exact else None

    try:
        await infra.eventually(settled, timeout=240)
    finally:
        tally = pipeline.compare(wants, await pipeline.observed(cluster_stores, prefix, nips))
        queues = await asyncio.to_thread(queue_states, cluster)
        seen = await pipeline.drain_audit(cluster.url)
        pipeline.report(
            "rabbitmq-cluster",
            scenario,
            seen,
            tally,
            nodes=len(cluster.nodes),
            posted_s=f"{posted:.0f}",
            settled_s=f"{time.monotonic() - started:.0f}",
            refused=dict(scenario.refused),
            faults=faults,
        )
        print(f"queues at the end: {queues}")
        print(f"handled per service: {await handled(cluster_stack)}")
    assert scenario.accepted == EVENTS + len(scenario.resend)
    assert tally.lost == 0
    assert tally.double == 0
    assert tally.exact
    assert sum(w.points for w in wants.values()) > 0
