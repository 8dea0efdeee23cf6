"""Fixtures on real infrastructure: a RabbitMQ vhost, the embedded store and the services."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from mutu import launcher
from tests import infra


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with infra.vhost() as url:
        yield url


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def store_url(var_dir: Path) -> Iterator[str]:
    with infra.embedded_store(var_dir) as url:
        yield url


@pytest.fixture(scope="session")
def keys(var_dir: Path) -> infra.Keys:
    return infra.Keys.create(var_dir / "api-keys.json")


@pytest.fixture(scope="session")
def stack(amqp_url: str, store_url: str, var_dir: Path, keys: infra.Keys) -> Iterator[infra.Stack]:
    """The four services, one process each, sharing this session's vhost and store."""
    stack = infra.Stack(infra.service_env(amqp_url, store_url, var_dir))
    for service in launcher.SERVICES:
        stack.start(service)
    try:
        launcher.wait_healthy(list(stack.urls.values()), timeout=180)
        yield stack
    finally:
        stack.stop_all()


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
