"""One Prometheus registry per process, Mutu's metrics and their samplers (no personal data in labels).

HTTP requests are counted by route template (never the raw path, which may hold a NIP); gauges
that need a query (outbox backlog, queue depths) are refreshed by a `Sampler` in the background.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

from faststream.rabbit import RabbitBroker, RabbitQueue
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()

EVENTS_ACCEPTED = Counter(
    "mutu_events_accepted_total",
    "Events accepted over HTTP, by type and outcome (new or duplicate).",
    ["event_type", "outcome"],
    registry=REGISTRY,
)
EVENTS_REJECTED = Counter(
    "mutu_events_rejected_total",
    "Events refused by a POST /events intake, by route template and status code.",
    ["route", "status"],
    registry=REGISTRY,
)
EVENTS_CONSUMED = Counter(
    "mutu_events_consumed_total",
    "Events consumed from the bus, by outcome (handled, rejected, dead_lettered).",
    ["service", "event_type", "outcome"],
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "mutu_events_published_total",
    "Events published to mutu.events by the outbox relay, by routing key.",
    ["routing_key"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge("mutu_outbox_backlog", "Outbox entries not yet published.", registry=REGISTRY)
OUTBOX_AGE = Gauge(
    "mutu_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox entry.", registry=REGISTRY
)
DEAD_LETTERS = Counter(
    "mutu_dead_letters_total",
    "Messages dead-lettered by this process, by queue and reason.",
    ["queue", "reason"],
    registry=REGISTRY,
)
CONSUMER_RESTARTS = Counter(
    "mutu_consumer_restarts_total",
    "Subscribers re-started by the watchdog after their consumer was lost.",
    registry=REGISTRY,
)
BROKER_CONNECTED = Gauge(
    "mutu_broker_connected", "1 while the broker answers and every consumer is live.", registry=REGISTRY
)
QUEUE_MESSAGES = Gauge(
    "mutu_queue_messages",
    "Messages waiting in this service's queues (kind: work or dead_letter), as last sampled.",
    ["queue", "kind"],
    registry=REGISTRY,
)
QUEUE_CONSUMERS = Gauge(
    "mutu_queue_consumers",
    "Consumers attached to this service's work queues (all instances), as last sampled.",
    ["queue"],
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "mutu_http_requests_total",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "mutu_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    registry=REGISTRY,
)
DOCUMENT_BYTES = Gauge(
    "mutu_store_document_max_bytes",
    "Largest document (BSON bytes) this process wrote, by collection (limit: MAX_DOCUMENT_BYTES).",
    ["collection"],
    registry=REGISTRY,
)
UNMATCHED = "<unmatched>"
_largest: dict[str, int] = {}


def observe_document_size(collection: str, size: int) -> None:
    if size > _largest.get(collection, 0):
        _largest[collection] = size
        DOCUMENT_BYTES.labels(collection).set(size)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetrics:
    """ASGI middleware: counts and times requests under the matched route's template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recorded(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recorded)
        finally:
            route = route_template(scope)
            method = scope["method"] if scope["method"] in METHODS else "OTHER"  # labels stay bounded
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """`/asn/{nip}/points`, not the path that was asked for."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


Probe = Callable[[], Awaitable[None]]


def outbox_probe(pending: Callable[[], Awaitable[tuple[int, float]]]) -> Probe:
    async def probe() -> None:
        count, age = await pending()
        OUTBOX_BACKLOG.set(count)
        OUTBOX_AGE.set(age)

    return probe


def queue_probe(broker: RabbitBroker, queues: Callable[[], Iterable[tuple[RabbitQueue, str]]]) -> Probe:
    """Depth of each (queue, kind), read with a re-declaration (the queue's own arguments)."""

    async def probe() -> None:
        for queue, kind in queues():
            declared = await broker.declare_queue(queue)
            result = await declared.declare()
            QUEUE_MESSAGES.labels(queue.name, kind).set(result.message_count or 0)
            if kind == "work":
                QUEUE_CONSUMERS.labels(queue.name).set(result.consumer_count or 0)

    return probe


class Sampler:
    """Runs the probes every `every` seconds until stopped; a failing probe is logged and retried."""

    def __init__(self, probes: Sequence[Probe], every: float = 10.0) -> None:
        self._probes = probes
        self._every = every
        self._task: asyncio.Task[None] | None = None

    async def sample(self) -> None:
        for probe in self._probes:
            try:
                await probe()
            except Exception:  # metrics never take a service down
                logger.debug("metrics probe failed", exc_info=True)

    async def _forever(self) -> None:
        while True:
            await self.sample()
            await asyncio.sleep(self._every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._forever())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
