"""Logging set-up: one JSON object per line, level from LOG_LEVEL, NIP-like digit runs masked.

Every line names the service and, inside a trace, its `trace_id` and `span_id` (the broker
middleware in shared/observability/tracing.py adds a line per event handled or published).
"""

import json
import logging
import sys
from typing import Any

from opentelemetry import trace

from shared.web import redact

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_TRACE = ("trace_id", "span_id")


class TraceContext(logging.Filter):
    """Puts the current span's trace and span id on the record (W3C hex form)."""

    def filter(self, record: logging.LogRecord) -> bool:
        span = trace.get_current_span().get_span_context()
        if span.is_valid and not hasattr(record, "trace_id"):
            record.trace_id = format(span.trace_id, "032x")
            record.span_id = format(span.span_id, "016x")
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(
            {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        ids = {key: line.pop(key) for key in _TRACE if key in line}  # hex ids are not NIPs: never masked
        text = redact.text(json.dumps(line, default=str))
        return f"{text[:-1]}, {json.dumps(ids)[1:]}" if ids else text


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact.text(super().format(record))


def configure(service: str, *, level: str = "INFO", json_lines: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(TraceContext())
    if json_lines:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(PlainFormatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
