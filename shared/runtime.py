"""What every service process has: store, broker, outbox relay, keys, probes and the lifespan."""

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from faststream.rabbit import RabbitQueue

from shared import messaging, web
from shared.contract import asyncapi, envelope, events, topics, units
from shared.messaging.outbox import OutboxRelay
from shared.messaging.watchdog import Watchdog, consumers_alive
from shared.observability import metrics, tracing
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from shared.settings import ServiceSettings
from shared.web import apikeys

logger = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]
Task = Callable[[], Coroutine[Any, Any, None]]


class Runtime:
    """The adapters of one service process, created once by its composition root."""

    def __init__(self, service: str, settings: ServiceSettings) -> None:
        if settings.mongodb_url is None:
            msg = "MONGODB_URL is not set: start services through `mutu run` or `mutu serve`"
            raise RuntimeError(msg)
        self.service = service
        self.settings = settings
        tracing.configure(service, settings.otel_exporter_otlp_endpoint)
        database = f"{settings.mongodb_db_prefix}{service}"
        self.store = Store(settings.mongodb_url, database, options=settings.store_options)
        self.broker = messaging.make_broker(settings.amqp_url)
        self.publisher = messaging.Publisher(self.broker)
        self.relay = OutboxRelay(self.publisher, sweep_seconds=settings.outbox_sweep_seconds)
        self.auth = web.Auth(apikeys.KeyFile(settings.keys_file))
        self.units = units.load(settings.units_file)  # checked whole now: a bad file stops the start
        self.topics = topics.load(settings.topics_file)  # the same for the forum topics
        self.consumed: list[type[events.Event]] = []
        self.produces: list[type[events.Event]] = []  # what it publishes (AsyncAPI); services fill it
        self.sampler = metrics.Sampler(
            [metrics.outbox_probe(self.relay.pending), metrics.queue_probe(self.broker, self.queues)]
        )
        self.on_start: list[Hook] = []
        self.background: list[Task] = []  # long-running tasks: started when ready, cancelled on exit
        self.watchdog = Watchdog(self.broker, self._attach_broker)

    def aggregates(self, collection: str, *, keep_ids: bool = False, hot: bool = False) -> Aggregates:
        """Aggregate documents in one of this service's collections, within MAX_DOCUMENT_BYTES.

        Ids of applied events are kept INBOX_RETENTION_DAYS (persistence/inbox.py); with `keep_ids`, for
        the document's life: for per-period documents whose inbox is the only guard of a count.
        `hot`: nearly every event writes its document, so the process plans on the copies it wrote
        (REMEMBERED_DOCUMENTS of them; persistence/group_commit.py) instead of reading them again.
        """
        retention = None if keep_ids else dt.timedelta(days=self.settings.inbox_retention_days)
        return Aggregates(
            self.store.collection(collection),
            self.relay,
            max_document_bytes=self.settings.max_document_bytes,
            inbox_retention=retention,
            remember=self.settings.remembered_documents if hot else 0,
        )

    def consume[E: events.Event](
        self, event: type[E], handler: Callable[[envelope.CloudEvent[E]], Awaitable[object]]
    ) -> None:
        """Subscribe a handler to this service's queue for `event`; it receives the typed CloudEvent."""
        self.consumed.append(event)
        messaging.consume(
            self.broker,
            service=self.service,
            event=event,
            handler=handler,
            prefetch=self.settings.prefetch,
            attempts=self.settings.delivery_limit,
        )

    def queues(self) -> list[tuple[RabbitQueue, str]]:
        work = [(messaging.queue_for(self.service, e), "work") for e in self.consumed]
        return work + [
            (messaging.dead_letter_queue_for(self.service, e), "dead_letter") for e in self.consumed
        ]

    async def broker_up(self) -> bool:
        try:
            return self.watchdog.attached and await self.broker.ping(timeout=2)
        except Exception:  # noqa: BLE001 - a probe answers, it does not raise
            return False

    async def consuming(self) -> bool:
        return self.watchdog.attached and await consumers_alive(self.broker)

    async def _attach_broker(self) -> None:
        """Connect, declare the dead-letter topology and start consuming (retried while down)."""
        await self.broker.connect()
        await messaging.declare_dead_letters(self.broker, self.service, self.consumed)
        await self.broker.start()

    @asynccontextmanager
    async def lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        async with self.store:
            await self.relay.ensure_indexes()
            for hook in self.on_start:
                await hook()
            # HTTP is served even while the broker is down: posts wait in the outbox.
            await self.watchdog.start()
            self.relay.start()
            self.sampler.start()
            await self.relay.sweep()
            tasks = [asyncio.create_task(task()) for task in self.background]
            logger.info("%s ready (broker %s)", self.service, "up" if self.watchdog.attached else "down")
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                # Stop taking messages, let in-flight handlers finish, flush the outbox, close.
                await self.sampler.stop()
                await self.watchdog.stop()
                for subscriber in self.broker.subscribers:
                    await subscriber.stop()
                await self.relay.stop(flush=self.watchdog.attached)
                await self.broker.stop()

    def app(self, *, title: str, routers: Sequence[APIRouter]) -> FastAPI:
        app = FastAPI(title=title, lifespan=self.lifespan, telemetry=web.NO_NATIVE_TELEMETRY)
        web.install(app, max_body_bytes=self.settings.max_body_bytes)
        app.add_middleware(metrics.HttpMetrics)
        app.add_middleware(tracing.HttpTracing)
        app.include_router(asyncapi.router(self.service, self.consumed, self.produces))
        app.include_router(
            web.probes({"store": self.store.ping, "broker": self.broker_up, "consumers": self.consuming})
        )
        app.include_router(web.unit_list(self.units))
        for router in routers:
            app.include_router(router)
        return app
