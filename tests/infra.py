"""Real infrastructure for tests: a RabbitMQ vhost per session, the embedded store, services."""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import httpx
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from mutu import launcher
from shared import messaging
from shared.contract import envelope, events, units
from shared.persistence.embedded_store import url_variable
from shared.web import apikeys

RABBITMQCTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
READY_SECONDS = 300  # a loaded 2-core machine starts several services slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports_in_a_row(count: int) -> int:
    """The first of `count` consecutive ports free right now (`mutu run` takes STORE_PORT and the next ones)."""
    while True:
        first = free_port()
        if first + count > 65535:
            continue
        taken = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                taken.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in taken:
                sock.close()
        return first


def base_amqp_url() -> str:
    return os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


@contextmanager
def vhost() -> Iterator[str]:
    """A fresh RabbitMQ vhost, so tests never share queues with `make run` or each other."""
    name = f"mutu-test-{uuid.uuid4().hex[:8]}"
    parts = urlsplit(base_amqp_url())
    user = parts.username or "guest"
    subprocess.run([RABBITMQCTL, "add_vhost", name], check=True, capture_output=True)
    subprocess.run(
        [RABBITMQCTL, "set_permissions", "-p", name, user, ".*", ".*", ".*"], check=True, capture_output=True
    )
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        subprocess.run([RABBITMQCTL, "delete_vhost", name], check=False, capture_output=True)


@contextmanager
def embedded_store(var_dir: Path, *, memory: bool = True) -> Iterator[str]:
    process, url = launcher.start_store(var_dir, memory=memory, port=0)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def embedded_stores(
    var_dir: Path, services: Iterable[str] = launcher.SERVICES, *, memory: bool = True
) -> Iterator[dict[str, str]]:
    """One store process per service database, as `mutu run` starts them: {service: URL}."""
    started = launcher.start_stores(var_dir, list(services), memory=memory)
    try:
        yield {service: url for service, (_, url) in started.items()}
    finally:
        launcher._terminate([process for process, _ in started.values()])


@dataclass
class Keys:
    integrator: str
    reader: str
    admin: str

    @classmethod
    def create(cls, path: Path) -> "Keys":
        keys = apikeys.KeyFile(path)
        return cls(**{role: keys.create(role) for role in apikeys.ROLES})


@dataclass(frozen=True)
class Site:
    """What a stack runs on: a broker address, a store per service, a VAR_DIR and keys in its key file."""

    amqp_url: str
    stores: dict[str, str]
    var_dir: Path
    keys: Keys

    @property
    def store_url(self) -> str:
        """A store for tests that make databases of their own (it is also the first service's)."""
        return next(iter(self.stores.values()))


@contextmanager
def site(var_dir: Path, amqp_url: str | None = None) -> Iterator[Site]:
    """Fresh stores and key file, on a fresh vhost of the local broker unless `amqp_url` is given."""
    with contextlib.ExitStack() as resources:
        url = amqp_url or resources.enter_context(vhost())
        stores = resources.enter_context(embedded_stores(var_dir))
        yield Site(url, stores, var_dir, Keys.create(var_dir / "api-keys.json"))


@dataclass
class Stack:
    """Service processes started with the same broker, store and key file; tests may kill and add."""

    env: dict[str, str]
    urls: dict[str, str] = field(default_factory=dict)
    processes: dict[str, list[subprocess.Popen[bytes]]] = field(default_factory=dict)

    def start(self, service: str) -> subprocess.Popen[bytes]:
        port = free_port()
        process = launcher.start_service(service, self.env, port=port)
        self.processes.setdefault(service, []).append(process)
        self.urls.setdefault(service, f"http://127.0.0.1:{port}")
        return process

    def start_another(self, service: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
        """One more instance of a service on its own port, logging at INFO to `log`: (process, url)."""
        port = free_port()
        command = [sys.executable, "-m", "mutu", "serve", service, "--port", str(port)]
        with log.open("wb") as sink:
            env = self.env | {"LOG_LEVEL": "INFO"}
            process = subprocess.Popen(command, env=env, stderr=sink, stdout=sink)
        self.processes.setdefault(service, []).append(process)
        return process, f"http://127.0.0.1:{port}"

    def kill(self, service: str) -> None:
        """SIGKILL the service's first process: no shutdown code runs."""
        process = self.processes[service].pop(0)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.urls.pop(service, None)

    def store_url(self, service: str) -> str:
        """The store holding `service`'s database, as that service resolves it."""
        return self.env.get(url_variable(service)) or self.env["MONGODB_URL"]

    def restart(self, service: str) -> str:
        self.start(service)
        return self.urls[service]

    def stop_gracefully(self, process: subprocess.Popen[bytes], timeout: float = 40) -> int:
        """SIGTERM and wait: returns the exit code."""
        for group in self.processes.values():
            if process in group:
                group.remove(process)
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    async def ready(self, timeout: float = READY_SECONDS) -> None:
        """Every running process answers /readyz 200."""
        await asyncio.to_thread(launcher.wait_healthy, list(self.urls.values()), timeout)

    def stop_all(self) -> None:
        launcher._terminate([p for group in self.processes.values() for p in group])


@contextlib.asynccontextmanager
async def running_stack(site: Site, services: Iterable[str], **env: str) -> AsyncIterator[Stack]:
    """The services, one process each, on `site`; every process is stopped on the way out."""
    stack = Stack(service_env(site.amqp_url, site.stores, site.var_dir, **env))
    try:
        for service in services:
            stack.start(service)
        await stack.ready()
        yield stack
    finally:
        stack.stop_all()


# Units the tests may use besides the kecamatan's own: a test that needs a unit nobody else touches
# (its own IKM, its own recommendations) takes one with fresh_unit().
TEST_UNITS = tuple(f"kel-t{n:04d}" for n in range(2000))
_unused_units = iter(TEST_UNITS)


def fresh_unit() -> str:
    return next(_unused_units)


def units_file(var_dir: Path) -> Path:
    """The default units and the test units, as a UNITS_FILE."""
    path = var_dir / "units.toml"
    if not path.exists():
        extra = "".join(
            f'\n[[units]]\nunit_id = "{unit}"\nname = "Unit uji {unit}"\nparent = "kec-candisari"\n'
            for unit in TEST_UNITS
        )
        path.write_text(units.DEFAULT_FILE.read_text() + extra)
    return path


def service_env(
    amqp_url: str, stores: str | Mapping[str, str], var_dir: Path, **extra: str
) -> dict[str, str]:
    """The environment of a stack's services: one store for all (a URL) or one each ({service: URL})."""
    addresses = (
        {"MONGODB_URL": stores}
        if isinstance(stores, str)
        else {url_variable(service): url for service, url in stores.items()}
    )
    return (
        os.environ
        | addresses
        | {
            "UNITS_FILE": str(units_file(var_dir)),
            "AMQP_URL": amqp_url,
            "MONGODB_DB_PREFIX": f"t{uuid.uuid4().hex[:6]}_",
            "VAR_DIR": str(var_dir),
            "LOG_LEVEL": "WARNING",
            "OUTBOX_SWEEP_SECONDS": "1",
            **extra,
        }
    )


async def eventually[T](probe: Callable[[], Awaitable[T | None]], *, timeout: float = 20) -> T:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            msg = f"condition not met within {timeout}s (last: {result!r})"
            raise AssertionError(msg)
        await asyncio.sleep(0.1)


async def publish_raw(
    amqp_url: str,
    messages: list[tuple[bytes, str]],
    *,
    routing_key: str,
    content_types: tuple[str | None, ...] = ("application/cloudevents+json",),
) -> None:
    """Publish (body, message id) pairs to `mutu.events` as a service would: persistent, confirmed.

    The i-th message carries `content_types[i % len(content_types)]` (None: no content type).
    """
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("mutu.events", aio_pika.ExchangeType.TOPIC, durable=True)
        for index, (body, message_id) in enumerate(messages):
            message = aio_pika.Message(
                body,
                message_id=message_id,
                content_type=content_types[index % len(content_types)],
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await exchange.publish(message, routing_key=routing_key)


class BusRecorder:
    """Records every event on `mutu.events` through an exclusive queue bound to '#'."""

    def __init__(self) -> None:
        self.messages: list[aio_pika.abc.AbstractIncomingMessage] = []
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._queue = ""

    async def start(self, amqp_url: str) -> None:
        self._connection = await aio_pika.connect_robust(amqp_url)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange("mutu.events", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True)
        self._queue = queue.name
        await queue.bind(exchange, routing_key="#")
        await queue.consume(self._record, no_ack=True)

    async def _record(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.messages.append(message)

    def routing_keys(self, message_id: str | None = None) -> list[str]:
        return [m.routing_key or "" for m in self.messages if message_id in (None, m.message_id)]

    async def caught_up(self, timeout: float = 20) -> None:
        """Every event routed to this recorder before now has been recorded (a marker goes through its queue)."""
        assert self._connection is not None, "start() first"
        channel = await self._connection.channel()
        marker = f"caught-up-{uuid.uuid4().hex}"
        await channel.default_exchange.publish(
            aio_pika.Message(b"", message_id=marker), routing_key=self._queue
        )
        await channel.close()
        await eventually(lambda: _found(self.messages, marker), timeout=timeout)
        self.messages = [m for m in self.messages if m.message_id != marker]

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()


async def _found(messages: list[aio_pika.abc.AbstractIncomingMessage], marker: str) -> bool | None:
    return any(m.message_id == marker for m in messages) or None


async def drained(stack: Stack, bus: BusRecorder | None = None, *, timeout: float = 30) -> None:
    """Wait until the stack has nothing left to do, instead of sleeping for "nothing happened".

    Nothing left: every message on the services' work queues is acknowledged and no outbox entry is
    waiting (the relay publishes an entry before it clears it, so none can be published again).
    Then the bus recorder, if given, has recorded every event published until then.
    """

    async def idle() -> bool | None:
        return (not await _queued(stack) and not await _outbox_backlog(stack.env)) or None

    await eventually(idle, timeout=timeout)
    if bus is not None:
        await bus.caught_up()


async def _queued(stack: Stack) -> int:
    """Messages ready or unacknowledged on the work queues of the stack's services."""
    vhost = urlsplit(stack.env["AMQP_URL"]).path.lstrip("/") or "/"
    listed = await asyncio.to_thread(
        subprocess.run,
        [RABBITMQCTL, "-q", "list_queues", "-p", vhost, "name", "messages", "--formatter", "json"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    rows = json.loads(listed.stdout or "[]")
    ours = tuple(f"{service}." for service in stack.processes)
    return sum(r["messages"] for r in rows if r["name"].startswith(ours) and not r["name"].endswith(".dlq"))


async def _outbox_backlog(env: dict[str, str]) -> int:
    """Documents with unpublished outbox entries in the stack's databases (on every store it uses)."""
    urls = {v for k, v in env.items() if k == "MONGODB_URL" or k.startswith(url_variable(""))}
    found = 0
    for url in urls:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
        try:
            for name in await client.list_database_names():
                if name.startswith(env["MONGODB_DB_PREFIX"]):
                    database = client[name]
                    for collection in await database.list_collection_names():
                        found += await database[collection].count_documents({"outbox_pending": True}, limit=1)
        finally:
            await client.close()
    return found


async def post_cloudevent(
    http: httpx.AsyncClient, url: str, key: str, body: dict[str, object]
) -> httpx.Response:
    """POST a structured-mode CloudEvent to a service's /events."""
    return await http.post(
        f"{url}/events",
        json=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/cloudevents+json"},
    )


def events_on(bus: BusRecorder, routing_key: str) -> list[dict[str, Any]]:
    """Decoded CloudEvents seen on the bus with this routing key."""
    return [json.loads(m.body) for m in bus.messages if m.routing_key == routing_key]


@contextlib.asynccontextmanager
async def reward_consumer(
    amqp_url: str, service: str, handler: Callable[[envelope.CloudEvent[Any]], Awaitable[None]]
) -> AsyncIterator[RabbitBroker]:
    """`handler` subscribed to `<service>.evaluation.reward_triggered` as a service would be."""
    broker = messaging.make_broker(amqp_url, graceful_timeout=5)
    messaging.consume(broker, service=service, event=events.RewardTriggered, handler=handler, attempts=3)
    await broker.connect()
    await messaging.declare_dead_letters(broker, service, [events.RewardTriggered])
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()
