"""The fault suite's own vhost, store and services, so kills and broker restarts stay out of `stack`."""

import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests import infra
from tests.faults import pipeline

SERVICES = ("training", "evaluation", "rewards")


def restart_rabbitmq() -> float:
    """Stop and start the RabbitMQ application (the node stays up): a short, real broker outage."""
    started = time.monotonic()
    subprocess.run([infra.RABBITMQCTL, "stop_app"], check=True, capture_output=True, timeout=60)
    subprocess.run([infra.RABBITMQCTL, "start_app"], check=True, capture_output=True, timeout=120)
    return time.monotonic() - started


@pytest.fixture(scope="session")
def fault_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[infra.Site]:
    with infra.site(tmp_path_factory.mktemp("faults")) as found:
        yield found


@pytest.fixture(scope="session")
def fault_amqp_url(fault_site: infra.Site) -> str:
    return fault_site.amqp_url


@pytest.fixture(scope="session")
def fault_var_dir(fault_site: infra.Site) -> Path:
    return fault_site.var_dir


@pytest.fixture(scope="session")
def fault_stores(fault_site: infra.Site) -> dict[str, str]:
    return fault_site.stores


@pytest.fixture(scope="session")
def fault_keys(fault_site: infra.Site) -> infra.Keys:
    return fault_site.keys


@pytest.fixture(scope="session")
async def fault_stack(fault_site: infra.Site) -> AsyncIterator[infra.Stack]:
    """Training, evaluation and rewards, one process each, with quick retries for the tests."""
    await pipeline.declare_audit(fault_site.amqp_url)
    async with infra.running_stack(fault_site, SERVICES, DELIVERY_LIMIT="3") as running:
        yield running


@pytest.fixture
async def fault_http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=32)) as client:
        yield client
