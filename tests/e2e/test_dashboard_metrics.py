"""The Grafana dashboard asks only for metrics the running services expose (scraped from their
/metrics), the compose and Kubernetes copies are the same, and KEDA scales each service on the
queues it really samples."""

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mutu import launcher
from tests import infra

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
DASHBOARD = ROOT / "deploy/grafana/dashboards/mutu.json"
K8S_COPY = ROOT / "deploy/k8s/base/grafana-dashboard.json"
PROMQL_WORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
}  # fmt: skip
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def expressions() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers that are not functions, keywords, labels."""
    expr = re.sub(r'"[^"]*"', '""', expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # matchers
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\$\w+", "", expr)  # Grafana variables
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
        following = expr[match.end() :].lstrip()
        if following.startswith("(") or match.group() in PROMQL_WORDS:
            continue
        names.add(match.group())
    return names


def exposed(text: str) -> set[str]:
    """Every name a scrape of this text can be queried by (samples, and families without one yet)."""
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            names.add(name)
            if kind in {"histogram", "summary"}:
                names.update(name + suffix for suffix in HISTOGRAM_SUFFIXES)
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def test_metric_names_are_read_from_promql() -> None:
    expr = 'histogram_quantile(0.99, sum by (le, service) (rate(a_b_bucket{kind="x"}[$__rate_interval]))) / c'
    assert metric_names(expr) == {"a_b_bucket", "c"}


def test_kubernetes_config_map_carries_the_compose_dashboard() -> None:
    assert json.loads(K8S_COPY.read_text()) == dashboard()


def test_dashboard_covers_what_operators_watch() -> None:
    used = set().union(*map(metric_names, expressions()))
    assert {
        "mutu_events_consumed_total",  # events in
        "mutu_events_published_total",  # events out
        "faststream_received_processed_messages_duration_seconds_bucket",  # handler latency
        "mutu_outbox_backlog",
        "mutu_queue_messages",  # queue and DLQ depth
        "mutu_queue_consumers",
        "mutu_ikm_converted",
    } <= used


async def test_every_panel_names_only_metrics_the_services_expose(
    stack: infra.Stack, http: httpx.AsyncClient
) -> None:
    available: set[str] = set()
    for url in stack.urls.values():
        available |= exposed((await http.get(f"{url}/metrics")).raise_for_status().text)
    unknown = {
        (panel["title"], name)
        for panel in dashboard()["panels"]
        for target in panel.get("targets", [])
        for name in metric_names(target["expr"])
        if name not in available
    }
    assert not unknown


async def test_keda_scales_each_service_on_the_queues_it_samples(
    stack: infra.Stack, http: httpx.AsyncClient
) -> None:
    scaled = {
        doc["metadata"]["name"]: {
            t["metadata"]["queueName"] for t in doc["spec"]["triggers"] if t["type"] == "rabbitmq"
        }
        for doc in yaml.safe_load_all((ROOT / "deploy/k8s/base/scaling.yaml").read_text())
        if doc["kind"] == "ScaledObject"
    }
    for service in launcher.SERVICES:

        async def work_queues(url: str = stack.urls[service]) -> set[str] | None:
            text = (await http.get(f"{url}/metrics")).text
            return (
                set(re.findall(r'^mutu_queue_messages\{kind="work",queue="([^"]+)"\}', text, re.MULTILINE))
                or None
            )

        if service in scaled:
            assert await infra.eventually(work_queues, timeout=30) == scaled[service]
        else:
            assert await work_queues() is None
