"""What every service process has: store, broker, outbox relay, keys, probes and the lifespan."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared import apikeys, events, messaging, web
from shared.outbox import OutboxRelay
from shared.settings import ServiceSettings
from shared.storage import Store
from shared.watchdog import Watchdog, consumers_alive

logger = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


class Runtime:
    """The adapters of one service process, created once by its composition root."""

    def __init__(self, service: str, settings: ServiceSettings) -> None:
        if settings.mongodb_url is None:
            msg = "MONGODB_URL is not set: start services through `mutu run` or `mutu serve`"
            raise RuntimeError(msg)
        self.service = service
        self.settings = settings
        self.store = Store(settings.mongodb_url, f"{settings.mongodb_db_prefix}{service}")
        self.broker = messaging.make_broker(settings.amqp_url)
        self.publisher = messaging.Publisher(self.broker)
        self.relay = OutboxRelay(self.publisher, sweep_seconds=settings.outbox_sweep_seconds)
        self.auth = web.Auth(apikeys.KeyFile(settings.keys_file))
        self.consumed: list[type[events.Event]] = []
        self.on_start: list[Hook] = []
        self.watchdog = Watchdog(self.broker, self._attach_broker)

    def consume(self, event: type[events.Event], handler: messaging.Handler) -> None:
        """Subscribe a handler to this service's queue for `event`."""
        self.consumed.append(event)
        messaging.consume(
            self.broker,
            service=self.service,
            event=event,
            handler=handler,
            prefetch=self.settings.prefetch,
            attempts=self.settings.delivery_limit,
        )

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
            await self.relay.sweep()
            logger.info("%s ready (broker %s)", self.service, "up" if self.watchdog.attached else "down")
            try:
                yield
            finally:
                # Stop taking messages, let in-flight handlers finish, flush the outbox, close.
                await self.watchdog.stop()
                for subscriber in self.broker.subscribers:
                    await subscriber.stop()
                await self.relay.stop(flush=self.watchdog.attached)
                await self.broker.stop()

    def app(self, *, title: str, routers: Sequence[APIRouter]) -> FastAPI:
        app = FastAPI(title=title, lifespan=self.lifespan)
        web.install(app, max_body_bytes=self.settings.max_body_bytes)
        app.include_router(
            web.probes({"store": self.store.ping, "broker": self.broker_up, "consumers": self.consuming})
        )
        for router in routers:
            app.include_router(router)
        return app
