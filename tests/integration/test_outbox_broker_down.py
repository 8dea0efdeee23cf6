"""With the broker unreachable, a service keeps accepting events and publishes them, in order, later."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from mutu import launcher
from tests import infra
from tests.builders import a_training_completed, random_id, random_nip, structured
from tests.faults.proxy import Proxy

pytestmark = pytest.mark.integration


@pytest.fixture
async def proxy(amqp_url: str) -> AsyncIterator[Proxy]:
    proxy = Proxy(amqp_url)
    yield proxy
    await proxy.cut()


@pytest.fixture
def training_behind(proxy: Proxy, store_url: str, var_dir: Path) -> Iterator[infra.Stack]:
    """The training service, reaching RabbitMQ only through the proxy."""
    stack = infra.Stack(infra.service_env(proxy.url, store_url, var_dir))
    yield stack
    stack.stop_all()


async def ready(http: httpx.AsyncClient, url: str) -> httpx.Response:
    return await http.get(f"{url}/readyz")


async def post_all(
    http: httpx.AsyncClient, url: str, key: str, nips: list[str], per_person: int
) -> dict[str, list[str]]:
    """Post `per_person` completions for each person, one person's in sequence; ids by person."""
    sent: dict[str, list[str]] = {nip: [] for nip in nips}

    async def person(nip: str) -> None:
        for _ in range(per_person):
            event_id = random_id()
            body = structured(a_training_completed(nip=nip, program_id=random_id("prog")), event_id=event_id)
            answer = await infra.post_cloudevent(http, url, key, body)
            assert answer.status_code == 202, answer.text
            sent[nip].append(event_id)

    await asyncio.gather(*(person(nip) for nip in nips))
    return sent


def published_by_person(bus: infra.BusRecorder, nips: list[str]) -> dict[str, list[str]]:
    order: dict[str, list[str]] = {nip: [] for nip in nips}
    for event in infra.events_on(bus, "training.completed"):
        if event["data"]["nip"] in order:
            order[event["data"]["nip"]].append(event["id"])
    return order


async def test_posts_are_accepted_while_the_broker_is_down_and_published_in_order_after(
    proxy: Proxy,
    training_behind: infra.Stack,
    keys: infra.Keys,
    http: httpx.AsyncClient,
    bus: infra.BusRecorder,
) -> None:
    await proxy.start()
    training_behind.start("training")
    url = training_behind.urls["training"]
    await asyncio.to_thread(launcher.wait_healthy, [url], 60)

    await proxy.cut()
    # The consumers' channel notices the cut first; the broker check follows within its ping timeout.
    down = await infra.eventually(lambda: _broker_down(http, url))
    assert "broker" in down["down"]
    nips = [random_nip() for _ in range(5)]
    sent = await post_all(http, url, keys.integrator, nips, per_person=10)
    await asyncio.sleep(1.5)  # a sweep or two while the broker is away
    assert published_by_person(bus, nips) == {nip: [] for nip in nips}

    await proxy.start()
    await infra.eventually(lambda: _ready(http, url), timeout=30)

    async def all_published() -> bool:
        return sum(map(len, published_by_person(bus, nips).values())) >= 50

    await infra.eventually(all_published, timeout=30)
    order = published_by_person(bus, nips)
    print(f"\nbroker down: accepted=50 published={sum(map(len, order.values()))} persons={len(nips)}")
    assert order == sent  # each once, and in the order each person's events were accepted


async def test_a_service_starts_and_accepts_while_the_broker_is_down(
    proxy: Proxy,
    training_behind: infra.Stack,
    keys: infra.Keys,
    http: httpx.AsyncClient,
    bus: infra.BusRecorder,
) -> None:
    training_behind.start("training")  # the proxy is not listening: no broker at boot
    url = training_behind.urls["training"]

    async def alive() -> bool:
        try:
            return (await http.get(f"{url}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    await infra.eventually(alive, timeout=60)
    # The consumers' channel notices the cut first; the broker check follows within its ping timeout.
    down = await infra.eventually(lambda: _broker_down(http, url))
    assert "broker" in down["down"]
    nip = random_nip()
    sent = await post_all(http, url, keys.integrator, [nip], per_person=3)

    await proxy.start()
    await infra.eventually(lambda: _ready(http, url), timeout=30)
    await infra.eventually(lambda: _published(bus, [nip], 3), timeout=30)
    assert published_by_person(bus, [nip]) == sent


async def _not_ready(http: httpx.AsyncClient, url: str) -> dict[str, list[str]] | None:
    answer = await ready(http, url)
    return json.loads(answer.text) if answer.status_code == 503 else None


async def _broker_down(http: httpx.AsyncClient, url: str) -> dict[str, list[str]] | None:
    found = await _not_ready(http, url)
    return found if found is not None and "broker" in found["down"] else None


async def _ready(http: httpx.AsyncClient, url: str) -> bool:
    return (await ready(http, url)).status_code == 200


async def _published(bus: infra.BusRecorder, nips: list[str], count: int) -> bool:
    return sum(map(len, published_by_person(bus, nips).values())) >= count
