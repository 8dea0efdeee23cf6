"""Structured logs: one JSON object per line with service, event id and type, and the trace id."""

import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from shared.observability import logs, tracing

TRACE_ID = 0x12345678901234567890123456789012  # all digits in hex: must not be taken for a NIP
SPAN_ID = 0x1234567890ABCDEF


@pytest.fixture
def configured() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def in_span() -> NonRecordingSpan:
    return NonRecordingSpan(SpanContext(TRACE_ID, SPAN_ID, is_remote=False, trace_flags=TraceFlags(1)))


def test_an_event_line_names_service_event_and_trace(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("rewards", level="INFO")
    with trace.use_span(in_span()):
        tracing._log("consumed", "ev-42", "evaluation.reward_triggered")
    [line] = lines(capsys)
    assert line["service"] == "rewards"
    assert line["action"] == "consumed"
    assert line["event_id"] == "ev-42"
    assert line["event_type"] == "RewardTriggered"
    assert line["trace_id"] == f"{TRACE_ID:032x}"
    assert line["span_id"] == f"{SPAN_ID:016x}"


def test_nips_are_masked_but_trace_ids_are_not(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("evaluation", level="INFO")
    with trace.use_span(in_span()):
        logging.getLogger("x").warning("failed for %s", "198609262015051001")
    [line] = lines(capsys)
    assert "198609262015051001" not in json.dumps(line)
    assert line["trace_id"] == f"{TRACE_ID:032x}"


def test_outside_a_trace_there_is_no_trace_id(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("survey", level="INFO")
    tracing._log("published", "ev-1", "survey.submitted")
    [line] = lines(capsys)
    assert line["event_type"] == "SurveySubmitted"
    assert "trace_id" not in line


def test_log_level_comes_from_configuration(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("training", level="WARNING")
    tracing._log("published", "ev-1", "training.completed")
    logging.getLogger("x").warning("kept")
    assert [line["message"] for line in lines(capsys)] == ["kept"]
