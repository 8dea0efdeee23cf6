"""The fault suite's own vhost, store and services, so kills and broker restarts stay out of `stack`."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from mutu import launcher
from tests import infra
from tests.faults import pipeline

SERVICES = ("training", "evaluation", "rewards")


class FaultStack(infra.Stack):
    """A Stack whose processes a test can kill, restart and multiply."""

    def kill(self, service: str) -> None:
        """SIGKILL the service's first process: no shutdown code runs."""
        process = self.processes[service].pop(0)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.urls.pop(service, None)

    def start_another(self, service: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
        """One more instance of a service on its own port, logging at INFO to `log`: (process, url)."""
        port = infra.free_port()
        command = [sys.executable, "-m", "mutu", "serve", service, "--port", str(port)]
        with log.open("wb") as sink:
            env = self.env | {"LOG_LEVEL": "INFO"}
            process = subprocess.Popen(command, env=env, stderr=sink, stdout=sink)
        self.processes.setdefault(service, []).append(process)
        return process, f"http://127.0.0.1:{port}"

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

    async def ready(self, timeout: float = 120) -> None:
        """Every running process answers /readyz 200."""
        await asyncio.to_thread(launcher.wait_healthy, list(self.urls.values()), timeout)


def restart_rabbitmq() -> float:
    """Stop and start the RabbitMQ application (the node stays up): a short, real broker outage."""
    started = time.monotonic()
    subprocess.run([infra.RABBITMQCTL, "stop_app"], check=True, capture_output=True, timeout=60)
    subprocess.run([infra.RABBITMQCTL, "start_app"], check=True, capture_output=True, timeout=120)
    return time.monotonic() - started


@pytest.fixture(scope="session")
def fault_amqp_url() -> Iterator[str]:
    with infra.vhost() as url:
        yield url


@pytest.fixture(scope="session")
def fault_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="session")
def fault_store_url(fault_var_dir: Path) -> Iterator[str]:
    with infra.embedded_store(fault_var_dir) as url:
        yield url


@pytest.fixture(scope="session")
def fault_keys(fault_var_dir: Path) -> infra.Keys:
    return infra.Keys.create(fault_var_dir / "api-keys.json")


@pytest.fixture(scope="session")
async def fault_stack(
    fault_amqp_url: str, fault_store_url: str, fault_var_dir: Path, fault_keys: infra.Keys
) -> AsyncIterator[FaultStack]:
    """Training, evaluation and rewards, one process each, with quick retries for the tests."""
    await pipeline.declare_audit(fault_amqp_url)
    env = infra.service_env(fault_amqp_url, fault_store_url, fault_var_dir, DELIVERY_LIMIT="3")
    stack = FaultStack(env)
    for service in SERVICES:
        stack.start(service)
    try:
        await stack.ready()
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
async def fault_http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=32)) as client:
        yield client
