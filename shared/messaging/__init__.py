"""RabbitMQ topology, publishing and consuming: the only place that knows queues and exchanges.

Work queues are durable quorum queues named `<consumer>.<routing key>`, bound to the topic
exchange `mutu.events`, with a delivery limit and the dead-letter exchange `mutu.dlx`; each has
its dead-letter queue `<queue>.dlq` bound to `mutu.dlx` with the same routing key: dead letters
keep the event's routing key (PRODUCT.md). Each event has one consuming service, so its `.dlq`
is the one queue a dead letter reaches (instances of a service share their queues).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import (
    Channel,
    ExchangeType,
    QueueType,
    RabbitBroker,
    RabbitExchange,
    RabbitMessage,
    RabbitQueue,
)
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from faststream.types import DecodedMessage
from pymongo.errors import ConnectionFailure

from shared.contract import envelope, events, strictjson
from shared.observability import metrics, tracing

logger = logging.getLogger(__name__)

EXCHANGE = RabbitExchange("mutu.events", type=ExchangeType.TOPIC, durable=True)
DLX = RabbitExchange("mutu.dlx", type=ExchangeType.TOPIC, durable=True)
# Safety net for crash loops; handler failures are dead-lettered by `consume` before this.
BROKER_DELIVERY_LIMIT = 20
REASON = "x-mutu-reason"
ERROR = "x-mutu-error"
QUEUE = "x-mutu-queue"

Handler = Callable[[envelope.CloudEvent[Any]], Awaitable[object]]


def make_broker(url: str, *, graceful_timeout: float = 15.0) -> RabbitBroker:
    return RabbitBroker(
        url,
        graceful_timeout=graceful_timeout,
        default_channel=Channel(publisher_confirms=True),
        reconnect_interval=1.0,
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,  # per-message "Received"/"Processed" lines only when debugging
        middlewares=(*tracing.broker_middlewares(), RabbitPrometheusMiddleware(registry=metrics.REGISTRY)),
    )


def queue_name(service: str, event: type[events.Event]) -> str:
    return f"{service}.{event.routing_key}"


def queue_for(service: str, event: type[events.Event]) -> RabbitQueue:
    return RabbitQueue(
        queue_name(service, event),
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=event.routing_key,
        arguments={
            "x-dead-letter-exchange": DLX.name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            "x-delivery-limit": BROKER_DELIVERY_LIMIT,
        },
    )


def dead_letter_queue_for(service: str, event: type[events.Event]) -> RabbitQueue:
    return RabbitQueue(
        f"{queue_name(service, event)}.dlq",
        queue_type=QueueType.QUORUM,
        durable=True,
        routing_key=event.routing_key,
    )


async def declare_dead_letters(
    broker: RabbitBroker, service: str, consumed: list[type[events.Event]]
) -> None:
    """Declare `mutu.dlx` and this service's `<queue>.dlq` queues (work queues come with subscribers)."""
    dlx = await broker.declare_exchange(DLX)
    await broker.declare_exchange(EXCHANGE)
    for event in consumed:
        dlq = await broker.declare_queue(dead_letter_queue_for(service, event))
        await dlq.bind(dlx, routing_key=event.routing_key)


class Publisher:
    """CloudEvents to `mutu.events`: persistent, confirmed, message id = correlation id = event id."""

    def __init__(self, broker: RabbitBroker) -> None:
        self._broker = broker
        self._observers: dict[str, list[Callable[[bytes], None]]] = {}

    def on_published[E: events.Event](self, event: type[E], observe: Callable[[E], None]) -> None:
        """Call `observe` with the data of each confirmed publish of `event` (a service's own metrics)."""

        def parsed(body: bytes) -> None:
            observe(event.model_validate(strictjson.loads(body)["data"]))

        self._observers.setdefault(event.routing_key, []).append(parsed)

    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None:
        await self._broker.publish(
            body,
            exchange=EXCHANGE,
            routing_key=routing_key,
            message_id=message_id,
            correlation_id=message_id,  # the AsyncAPI correlation id; FastStream would make a uuid4
            persist=True,
            content_type=envelope.CONTENT_TYPE,
            timeout=10,
        )
        metrics.EVENTS_PUBLISHED.labels(routing_key).inc()
        for observe in self._observers.get(routing_key, ()):
            observe(body)

    async def publish(self, event: envelope.CloudEvent[Any]) -> None:
        await self.publish_raw(
            envelope.to_json(event), routing_key=event.data.routing_key, message_id=event.id
        )


def consume(
    broker: RabbitBroker,
    *,
    service: str,
    event: type[events.Event],
    handler: Handler,
    prefetch: int = 64,
    attempts: int = 5,
) -> None:
    """Subscribe `handler` to `<service>.<routing key>`.

    Acks only after the handler returned (its writes are durable). Bad input is dead-lettered at
    once; a failing handler is retried `attempts` times, then dead-lettered with the reason in
    the headers. While the store is unreachable the message is held and retried, not counted.
    """
    queue = queue_for(service, event)
    accepted = {event.__name__: event}

    async def on_message() -> None:
        # The message from FastStream's context, not a `message: RabbitMessage` parameter: fast_depends
        # resolves such a parameter in a worker thread, a thread hop per message (see bench/README.md).
        message: RabbitMessage = broker.context.get_local("message")
        raw = message.raw_message
        try:
            cloud_event = envelope.parse_structured(raw.body, accepted)
        except Exception as error:  # noqa: BLE001 - whatever the parser raises, the message is invalid
            # Never let it escape: an unacked message would hold a prefetch slot for good.
            await _dead_letter(broker, message, queue, "invalid", error)
            metrics.EVENTS_CONSUMED.labels(service, event.__name__, "rejected").inc()
            return
        failures = _delivery_count(raw.headers.get("x-delivery-count"))
        while True:
            try:
                await handler(cloud_event)
                break
            except ConnectionFailure:
                logger.warning("store unreachable; holding event=%s", cloud_event.id)
                await asyncio.sleep(1)
            except Exception as error:
                failures += 1
                logger.exception("handler failed event=%s attempt=%d", cloud_event.id, failures)
                if failures >= attempts:
                    await _dead_letter(broker, message, queue, "handler_failed", error)
                    metrics.EVENTS_CONSUMED.labels(service, event.__name__, "dead_lettered").inc()
                    return
                await asyncio.sleep(min(0.1 * 2**failures, 2))
                await message.nack(requeue=True)
                return
        await message.ack()
        metrics.EVENTS_CONSUMED.labels(service, event.__name__, "handled").inc()

    on_message.__name__ = f"on_{event.routing_key.replace('.', '_')}"
    broker.subscriber(
        queue,
        EXCHANGE,
        ack_policy=AckPolicy.MANUAL,
        channel=Channel(prefetch_count=prefetch),
        decoder=_undecoded,
        title=queue.name,
        description=f"{service} consumes {event.__name__}",
    )(on_message)


async def _undecoded(message: StreamMessage[Any]) -> DecodedMessage:
    """The body as received: the handler parses it (strictly) itself.

    FastStream's own decoder would `json.loads` it first, by content type or, with none, by trying:
    deep nesting or a 5,000-digit number raised there, outside the handler, and left the message
    unacked, holding a prefetch slot for good.
    """
    return message.body


async def _dead_letter(
    broker: RabbitBroker, message: RabbitMessage, queue: RabbitQueue, reason: str, error: Exception
) -> None:
    """Publish to `mutu.dlx` under the queue's routing key, then ack.

    Not the message's own routing key: one sent straight to the queue through the default
    exchange carries the queue name, which no `.dlq` binding matches, and would be lost.
    """
    raw = message.raw_message
    headers = dict(raw.headers)
    headers.update({REASON: reason, ERROR: f"{type(error).__name__}: {error}"[:500], QUEUE: queue.name})
    await broker.publish(
        raw.body,
        exchange=DLX,
        routing_key=queue.routing_key,
        message_id=raw.message_id,
        headers=headers,
        content_type=raw.content_type,
        persist=True,
        timeout=10,
    )
    logger.warning("dead-lettered message=%s queue=%s reason=%s", raw.message_id, queue.name, reason)
    metrics.DEAD_LETTERS.labels(queue.name, reason).inc()
    await message.ack()


def _delivery_count(header: object) -> int:
    """Earlier failed deliveries, as counted by the quorum queue."""
    return header if isinstance(header, int) else 0


def consuming(broker: RabbitBroker) -> bool:
    """True when every subscriber of the broker has a live consumer on its queue."""
    subscribers = list(broker.subscribers)
    return all(getattr(s, "running", False) and getattr(s, "_consumer_tag", None) for s in subscribers)
