"""The cluster suite's RabbitMQ cluster (three nodes behind HAProxy), store and services."""

import secrets
from collections.abc import AsyncIterator, Iterator

import pytest

from tests import infra
from tests.cluster.local import Cluster
from tests.faults import pipeline
from tests.faults.conftest import SERVICES


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three fresh nodes with names of their own; stopped (with HAProxy) even when a test fails."""
    with Cluster(tmp_path_factory.mktemp("cluster"), prefix=f"mutu-{secrets.token_hex(3)}-c") as running:
        yield running


@pytest.fixture(scope="session")
def cluster_site(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[infra.Site]:
    with infra.site(tmp_path_factory.mktemp("cluster-var"), amqp_url=cluster.url) as found:
        yield found


@pytest.fixture(scope="session")
def cluster_stores(cluster_site: infra.Site) -> dict[str, str]:
    return cluster_site.stores


@pytest.fixture(scope="session")
def cluster_keys(cluster_site: infra.Site) -> infra.Keys:
    return cluster_site.keys


@pytest.fixture(scope="session")
async def cluster_stack(cluster_site: infra.Site) -> AsyncIterator[infra.Stack]:
    """Training, evaluation and rewards on the cluster's single HAProxy address."""
    await pipeline.declare_audit(cluster_site.amqp_url, quorum=True)
    async with infra.running_stack(cluster_site, SERVICES, DELIVERY_LIMIT="3") as running:
        yield running
