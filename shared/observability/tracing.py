"""W3C trace context from the HTTP request through every event it causes (OpenTelemetry).

An HTTP request opens a server span (a `traceparent` header continues the caller's trace). Events
are published later by the outbox relay, so the trace travels inside the event: `Aggregates.apply` puts
the current `traceparent` into the CloudEvent extension of every event a change publishes, the
broker middleware makes that context current when the relay publishes it (FastStream's
`RabbitTelemetryMiddleware` then writes it into the AMQP headers) and when a consumer receives an
event without the header. Spans are exported over OTLP only when an endpoint is configured;
without one the broker gets no span middleware at all and the `traceparent` header is copied from
the event (`CloudEventTrace.publish_scope`).
"""

import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import BaseMiddleware
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, Sampler
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.contract import events
from shared.observability import metrics

logger = logging.getLogger("mutu.events")
_PROPAGATOR = TraceContextTextMapPropagator()
_TRACEPARENT = re.compile(rb'"traceparent":\s*"(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})"')
_TYPES = {event.routing_key: event.__name__ for event in events.ALL}
_configured: dict[str, bool] = {}  # the process's service: whether its spans are exported


def configure(service: str, otlp_endpoint: str | None) -> None:
    """Install the tracer provider once per process; export over OTLP only with an endpoint.

    Without an endpoint no span is recorded (ALWAYS_OFF): each span is a non-recording one that
    still has its trace and span ids, so `traceparent` is continued or started, written into the
    events and the AMQP headers and put on log lines as before, but no span object, attributes or
    events are built per request and per message only to be dropped (bench/README.md, issue 20);
    the broker then gets no span middleware at all (`broker_middlewares`).
    """
    if _configured:
        return
    sampler: Sampler | None = None if otlp_endpoint else ALWAYS_OFF  # None: the SDK's default
    provider = TracerProvider(resource=Resource.create({"service.name": f"mutu-{service}"}), sampler=sampler)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(otlp_endpoint))))
    trace.set_tracer_provider(provider)
    _configured[service] = bool(otlp_endpoint)


def exporting() -> bool:
    """Whether spans are recorded and exported (`configure` was given an OTLP endpoint)."""
    return any(_configured.values())


def _traces_url(endpoint: str) -> str:
    """OTEL_EXPORTER_OTLP_ENDPOINT is the base URL; traces go to `<base>/v1/traces`."""
    return endpoint if endpoint.rstrip("/").endswith("/v1/traces") else f"{endpoint.rstrip('/')}/v1/traces"


def current_traceparent() -> str | None:
    """The current span as a W3C `traceparent`, or None outside any trace."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


class CloudEventTrace(BaseMiddleware[Any, Any]):
    """Broker middleware: the trace of the CloudEvent's `traceparent`, and one log line per event."""

    writes_header = False  # FastStream's telemetry middleware writes the AMQP `traceparent`

    async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
        found = _TRACEPARENT.search(cmd.body[:4096]) if isinstance(cmd.body, bytes) else None
        traceparent = found.group(1).decode() if found else None
        if self.writes_header:
            cmd.headers["traceparent"] = traceparent or _new_trace()
        token = context.attach(_PROPAGATOR.extract({"traceparent": traceparent})) if traceparent else None
        try:
            result = await call_next(cmd)
            if cmd.exchange.name == "mutu.events":
                _log("published", cmd.message_options.get("message_id"), cmd.destination)
            return result
        finally:
            if token is not None:
                context.detach(token)

    async def consume_scope(self, call_next: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
        headers = msg.headers
        if "traceparent" not in headers and (found := _TRACEPARENT.search(msg.body[:4096])):
            headers["traceparent"] = found.group(1).decode()
        token = context.attach(_PROPAGATOR.extract(headers))  # for the log line; telemetry has its own
        try:
            result = await call_next(msg)
            _log("consumed", msg.message_id, msg.raw_message.routing_key or "")
            return result
        finally:
            context.detach(token)


def _log(action: str, event_id: str | None, routing_key: str) -> None:
    if logger.isEnabledFor(logging.INFO):
        event_type = _TYPES.get(routing_key, routing_key)
        logger.info(
            "%s %s",
            action,
            event_type,
            extra={
                "action": action,
                "event_id": event_id,
                "event_type": event_type,
                "routing_key": routing_key,
            },
        )


class _CloudEventTraceHeader(CloudEventTrace):
    """Without span export: the event's `traceparent` (or a new trace) copied into the AMQP headers."""

    writes_header = True


def _new_trace() -> str:
    """A root `traceparent`, not sampled, for an event published outside any trace (a scheduler's)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def broker_middlewares() -> tuple[Any, ...]:
    """For `RabbitBroker(middlewares=...)`, after `configure`: CloudEvent trace and logs, spans if exported.

    FastStream's telemetry middleware only when spans are exported: unexported, it built a span,
    attributes and baggage per message only to drop them (~4% of a consumer's CPU, bench/README.md).
    Without it the AMQP header carries the event's own `traceparent`, so a consumer continues the
    producer's span rather than a child of it: the trace id, which logs and events carry, is the same.
    """
    return (CloudEventTrace, RabbitTelemetryMiddleware()) if exporting() else (_CloudEventTraceHeader,)


class HttpTracing:
    """ASGI middleware: a server span per request, continuing a `traceparent` header if sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._tracer = trace.get_tracer("mutu.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        parent = _PROPAGATOR.extract(headers)
        with self._tracer.start_as_current_span(
            f"HTTP {scope['method']}", context=parent, kind=trace.SpanKind.SERVER
        ) as span:

            async def with_traceparent(message: Message) -> None:
                if message["type"] == "http.response.start" and (tp := current_traceparent()):
                    message["headers"] = [*message.get("headers", []), (b"traceparent", tp.encode())]
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            await self.app(scope, receive, with_traceparent)
            span.update_name(f"HTTP {scope['method']} {metrics.route_template(scope)}")
