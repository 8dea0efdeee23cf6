"""A private Mutu stack for benchmarks: fresh vhost, a store per service, four service processes.

`memory=False` is `make run`'s set-up: SQLite files under the bench's VAR_DIR.
"""

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

from mutu import launcher
from tests import infra

_SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>[0-9.e+-]+)$", re.MULTILINE)


@contextlib.contextmanager
def running(var_dir: Path, *, memory: bool = True) -> Iterator[tuple[infra.Stack, infra.Keys, str]]:
    with infra.vhost() as amqp_url, infra.embedded_stores(var_dir, memory=memory) as stores:
        keys = infra.Keys.create(var_dir / "api-keys.json")
        stack = infra.Stack(infra.service_env(amqp_url, stores, var_dir, LOG_LEVEL="ERROR"))
        for service in launcher.SERVICES:
            stack.start(service)
        try:
            launcher.wait_healthy(list(stack.urls.values()), timeout=120)
            yield stack, keys, amqp_url
        finally:
            stack.stop_all()


def processes(stack: infra.Stack) -> dict[str, psutil.Process]:
    return {name: psutil.Process(group[0].pid) for name, group in stack.processes.items()}


def cpu_seconds(stack: infra.Stack) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes(stack).values())


def cpu_by_service(stack: infra.Stack) -> dict[str, float]:
    """CPU seconds (user + system) of each service process so far."""
    return {name: sum(p.cpu_times()[:2]) for name, p in processes(stack).items()}


def peak_rss_mb(stack: infra.Stack) -> dict[str, float]:
    """VmHWM: the peak resident set size of each service process."""
    peaks = {}
    for name, process in processes(stack).items():
        status = Path(f"/proc/{process.pid}/status").read_text()
        kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        peaks[name] = kb / 1024
    return peaks


def metric_sum(text: str, name: str, exclude: tuple[str, ...] = ()) -> float:
    total = 0.0
    for match in _SAMPLE.finditer(text):
        labels = match.group("labels") or ""
        if match.group("name") == name and not any(x in labels for x in exclude):
            total += float(match.group("value"))
    return total


def metric_max(text: str, name: str) -> float:
    values = [float(m.group("value")) for m in _SAMPLE.finditer(text) if m.group("name") == name]
    return max(values, default=0.0)


def largest_documents(stack: infra.Stack) -> dict[str, float]:
    """The largest document (BSON bytes) each service wrote since it started."""
    return {name: metric_max(text, "mutu_store_document_max_bytes") for name, text in scrape(stack).items()}


def scrape(stack: infra.Stack) -> dict[str, str]:
    return {name: httpx.get(f"{url}/metrics", timeout=10).text for name, url in stack.urls.items()}
