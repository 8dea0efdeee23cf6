"""Spans leave the process over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT is set."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

SCRIPT = """
import sys
from opentelemetry import trace
from shared.observability import tracing
tracing.configure("training", sys.argv[1] or None)
with trace.get_tracer("test").start_as_current_span("work"):
    pass
trace.get_tracer_provider().force_flush()
"""


class Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        Collector.received.append((self.path, self.headers.get("content-type", "")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run(endpoint: str) -> None:
    subprocess.run([sys.executable, "-c", SCRIPT, endpoint], check=True, timeout=60)


def test_spans_are_exported_to_the_configured_endpoint(collector: str) -> None:
    run(collector)
    assert Collector.received == [("/v1/traces", "application/x-protobuf")]


def test_nothing_is_exported_without_an_endpoint(collector: str) -> None:
    run("")
    assert Collector.received == []
