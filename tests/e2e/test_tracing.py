"""One trace from the HTTP request through every event it causes, across the outbox and the bus."""

import asyncio
import datetime as dt
import json
import logging
import uuid
from typing import Any

import aio_pika
import httpx
import pytest

from shared import messaging
from shared.contract import envelope, events
from shared.observability import logs
from tests import infra
from tests.builders import a_training_completed, random_id, structured

pytestmark = pytest.mark.e2e


def trace_of(traceparent: object) -> str:
    text = traceparent.decode() if isinstance(traceparent, bytes) else str(traceparent)
    version, trace_id, _span, _flags = text.split("-")
    assert version == "00"
    return trace_id


def traces(message: aio_pika.abc.AbstractIncomingMessage) -> tuple[str, str]:
    """(trace id in the AMQP headers, trace id in the CloudEvent's traceparent extension)."""
    return trace_of(message.headers["traceparent"]), trace_of(json.loads(message.body)["traceparent"])


def on_bus(bus: infra.BusRecorder, routing_key: str, nip: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    return [
        m for m in bus.messages if m.routing_key == routing_key and json.loads(m.body)["data"]["nip"] == nip
    ]


async def post(
    http: httpx.AsyncClient, url: str, key: str, body: dict[str, Any], **headers: str
) -> httpx.Response:
    headers |= {"Authorization": f"Bearer {key}", "Content-Type": envelope.CONTENT_TYPE}
    return await http.post(f"{url}/events", json=body, headers=headers)


async def test_training_completed_and_the_reward_it_causes_share_the_callers_trace(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    trace_id = uuid.uuid4().hex
    done = a_training_completed(score=95, passed=True)
    answer = await post(
        http,
        stack.urls["training"],
        keys.integrator,
        structured(done, event_id=random_id()),
        traceparent=f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01",
    )
    assert answer.status_code == 202
    assert trace_of(answer.headers["traceparent"]) == trace_id

    async def granted() -> list[aio_pika.abc.AbstractIncomingMessage]:
        return on_bus(bus, "rewards.points_granted", done.nip)

    await infra.eventually(granted, timeout=60)
    chain = [
        *on_bus(bus, "training.completed", done.nip),
        *on_bus(bus, "evaluation.reward_triggered", done.nip),
        *on_bus(bus, "rewards.points_granted", done.nip),
    ]
    assert [m.routing_key for m in chain] == [
        "training.completed",
        "evaluation.reward_triggered",
        "rewards.points_granted",
    ]
    assert all(traces(m) == (trace_id, trace_id) for m in chain)


async def test_a_request_without_trace_context_starts_one_that_its_events_carry(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    done = a_training_completed(score=95, passed=True)
    answer = await post(http, stack.urls["training"], keys.integrator, structured(done, event_id=random_id()))
    assert answer.status_code == 202
    trace_id = trace_of(answer.headers["traceparent"])

    async def granted() -> list[aio_pika.abc.AbstractIncomingMessage]:
        return on_bus(bus, "rewards.points_granted", done.nip)

    reward = (await infra.eventually(granted, timeout=60))[0]
    assert traces(reward) == (trace_id, trace_id)
    other = [
        m
        for m in bus.messages
        if m.routing_key == "training.completed" and json.loads(m.body)["data"]["nip"] != done.nip
    ]
    assert all(trace_of(json.loads(m.body)["traceparent"]) != trace_id for m in other)


async def test_each_event_published_and_consumed_is_one_log_line_in_its_trace(
    amqp_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """On the real broker: the relay's publish and a consumer's delivery, each logged once, same trace."""
    trace_id = uuid.uuid4().hex
    feedback = events.FeedbackReceived(
        feedback_id=random_id("fb"),
        forum_id="forum-1",
        unit_id="kel-candi",
        category="suggestion",
        topic="antrian",
        received_at=dt.datetime.now(dt.UTC),
    )
    event = envelope.wrap(
        feedback, source="urn:test", traceparent=f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"
    )
    broker = messaging.make_broker(amqp_url)
    delivered = asyncio.Event()

    async def on_feedback(_: envelope.CloudEvent[Any]) -> None:
        delivered.set()

    service = f"logtest{uuid.uuid4().hex[:6]}"
    messaging.consume(broker, service=service, event=events.FeedbackReceived, handler=on_feedback)
    caplog.handler.addFilter(logs.TraceContext())
    caplog.set_level(logging.INFO, logger="mutu.events")
    await broker.connect()
    await messaging.declare_dead_letters(broker, service, [events.FeedbackReceived])
    await broker.start()
    try:
        await messaging.Publisher(broker).publish(event)
        await asyncio.wait_for(delivered.wait(), timeout=20)

        async def logged() -> list[logging.LogRecord]:
            found = [
                r
                for r in caplog.records
                if r.name == "mutu.events" and getattr(r, "event_id", None) == event.id
            ]
            return found if len(found) >= 2 else []

        records = await infra.eventually(logged)
    finally:
        await broker.stop()
    assert sorted(r.__dict__["action"] for r in records) == ["consumed", "published"]
    assert {r.__dict__["event_type"] for r in records} == {"FeedbackReceived"}
    assert {r.__dict__["trace_id"] for r in records} == {trace_id}
