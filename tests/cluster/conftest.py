"""The cluster suite's RabbitMQ cluster (three nodes behind HAProxy), store and services."""

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests import infra
from tests.cluster.local import Cluster
from tests.faults import pipeline
from tests.faults.conftest import FaultStack

SERVICES = ("training", "evaluation", "rewards")
READY = 300  # seconds; a loaded 2-core machine starts three services slowly


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three fresh nodes with names of their own; stopped (with HAProxy) even when a test fails."""
    with Cluster(tmp_path_factory.mktemp("cluster"), prefix=f"mutu-{secrets.token_hex(3)}-c") as running:
        yield running


@pytest.fixture(scope="session")
def cluster_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cluster-var")


@pytest.fixture(scope="session")
def cluster_store_url(cluster_var_dir: Path) -> Iterator[str]:
    with infra.embedded_store(cluster_var_dir) as url:
        yield url


@pytest.fixture(scope="session")
def cluster_keys(cluster_var_dir: Path) -> infra.Keys:
    return infra.Keys.create(cluster_var_dir / "api-keys.json")


@pytest.fixture(scope="session")
async def cluster_stack(
    cluster: Cluster, cluster_store_url: str, cluster_var_dir: Path, cluster_keys: infra.Keys
) -> AsyncIterator[FaultStack]:
    """Training, evaluation and rewards on the cluster's single HAProxy address."""
    await pipeline.declare_audit(cluster.url, quorum=True)
    env = infra.service_env(cluster.url, cluster_store_url, cluster_var_dir, DELIVERY_LIMIT="3")
    stack = FaultStack(env)
    try:
        for service in SERVICES:
            stack.start(service)
        await stack.ready(timeout=READY)
        yield stack
    finally:
        stack.stop_all()
