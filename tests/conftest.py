"""Fixtures on real infrastructure: a RabbitMQ vhost, the embedded store and the services."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from mutu import launcher
from tests import infra


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[infra.Site]:
    with infra.site(tmp_path_factory.mktemp("var")) as found:
        yield found


@pytest.fixture(scope="session")
def amqp_url(site: infra.Site) -> str:
    return site.amqp_url


@pytest.fixture(scope="session")
def var_dir(site: infra.Site) -> Path:
    return site.var_dir


@pytest.fixture(scope="session")
def store_url(site: infra.Site) -> str:
    return site.store_url


@pytest.fixture(scope="session")
def keys(site: infra.Site) -> infra.Keys:
    return site.keys


@pytest.fixture(scope="session")
async def stack(site: infra.Site) -> AsyncIterator[infra.Stack]:
    """The four services, one process each, sharing this session's vhost and store."""
    async with infra.running_stack(site, launcher.SERVICES) as running:
        yield running


@pytest.fixture
async def bus(amqp_url: str) -> AsyncIterator[infra.BusRecorder]:
    recorder = infra.BusRecorder()
    await recorder.start(amqp_url)
    yield recorder
    await recorder.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show the figures tests print (fault suite, fuzzing, two instances) even when they pass."""
    lines = [
        f"{report.nodeid.split('::')[-1]}: {line.strip()}"
        for report in terminalreporter.stats.get("passed", [])
        for line in report.capstdout.splitlines()
        if line.strip() and not line.lstrip().startswith("{")
    ]
    if lines:
        terminalreporter.write_sep("=", "figures printed by the tests")
        for line in lines:
            terminalreporter.write_line(line)
