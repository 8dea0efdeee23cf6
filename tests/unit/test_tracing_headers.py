"""Without span export the AMQP `traceparent` header is the event's own, or starts a trace."""

import re
from types import SimpleNamespace
from typing import Any

from faststream import ContextRepo

from shared.observability import tracing

CARRIED = f"00-{'ab' * 16}-{'cd' * 8}-01"


async def published_header(body: bytes) -> str:
    (middleware_class,) = tracing.broker_middlewares()  # no endpoint configured: no span middleware
    cmd = SimpleNamespace(
        body=body,
        headers={},
        exchange=SimpleNamespace(name="mutu.events"),
        message_options={"message_id": "e-1"},
        destination="training.completed",
    )

    async def publish(cmd: Any) -> None:
        return None

    await middleware_class(None, context=ContextRepo()).publish_scope(publish, cmd)
    header: str = cmd.headers["traceparent"]
    return header


async def test_the_header_carries_the_events_traceparent() -> None:
    assert await published_header(b'{"id": "e-1", "traceparent": "%s"}' % CARRIED.encode()) == CARRIED


async def test_an_event_outside_any_trace_starts_a_new_one() -> None:
    first, second = await published_header(b'{"id": "e-1"}'), await published_header(b'{"id": "e-2"}')
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-00", first)
    assert first.split("-")[1] != second.split("-")[1]
