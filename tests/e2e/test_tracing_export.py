"""Spans leave the process over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT is set."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
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


RECORDING = """
import sys
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from shared.observability import tracing
tracing.configure("training", sys.argv[1] or None)
tracer = trace.get_tracer("test")
parent = TraceContextTextMapPropagator().extract({"traceparent": "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"})
with tracer.start_as_current_span("root") as root, tracer.start_as_current_span("child", context=parent) as child:
    print(root.is_recording(), child.is_recording(), tracing.current_traceparent())
    print(format(root.get_span_context().trace_id, "032x"), root.get_span_context().is_valid)
"""


def spans(endpoint: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", RECORDING, endpoint], check=True, timeout=60, capture_output=True, text=True
    )
    return done.stdout.split()


def test_without_an_endpoint_spans_are_not_built_but_the_trace_still_travels() -> None:
    """No span is recorded only to be dropped; a caller's trace is continued, a new one is started."""
    root_recording, child_recording, traceparent, root_trace, valid = spans("")
    assert (root_recording, child_recording) == ("False", "False")
    assert traceparent.split("-")[1] == "ab" * 16  # the caller's trace, carried on
    assert valid == "True"
    assert root_trace != "0" * 32


def test_with_an_endpoint_spans_are_recorded(collector: str) -> None:
    root_recording, child_recording, traceparent, *_ = spans(collector)
    assert (root_recording, child_recording) == ("True", "True")
    assert traceparent.split("-")[1] == "ab" * 16


BROKER = """
import sys
from shared.observability import tracing
tracing.configure("evaluation", sys.argv[1] or None)
print(" ".join(getattr(m, "__name__", type(m).__name__) for m in tracing.broker_middlewares()))
"""


def test_without_an_endpoint_no_span_middleware_runs_per_message(collector: str) -> None:
    """FastStream's telemetry middleware built a span, attributes and baggage per message to drop them."""

    def middlewares(endpoint: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", BROKER, endpoint], check=True, timeout=60, capture_output=True, text=True
        )
        return done.stdout.split()

    assert middlewares("") == ["_CloudEventTraceHeader"]
    assert middlewares(collector) == ["CloudEventTrace", "RabbitTelemetryMiddleware"]


REQUEST = """
import sys, pathlib
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from mutu import launcher
from services.training.app import create_app
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
settings = launcher.settings_for(
    "training", mongodb_url="mongodb://127.0.0.1:9/", amqp_url="amqp://-@127.0.0.1:9/", var_dir=pathlib.Path(sys.argv[1])
)
assert TestClient(create_app(settings)).get("/units").status_code == 200
print("|".join(f"{s.instrumentation_scope.name}:{s.name}" for s in exporter.get_finished_spans()))
"""


def test_a_request_makes_one_server_span_not_a_second_one_from_fastapi(tmp_path: Path) -> None:
    """HttpTracing makes the request's span; FastAPI's own telemetry (a span and operation spans) is off."""
    done = subprocess.run(
        [sys.executable, "-c", REQUEST, str(tmp_path)], check=True, timeout=60, capture_output=True, text=True
    )
    assert done.stdout.strip().split("|") == ["mutu.http:HTTP GET /units"]
