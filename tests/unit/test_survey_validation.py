"""Unit tests of the kiosk model (anonymity, strictness), the default period and the token bucket."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from services.survey import decisions, model
from shared.contract.calendar import Calendar
from shared.web.ratelimit import TokenBuckets


def a_body(**changes: Any) -> dict[str, Any]:
    answers = {f"u{i}": 3 for i in range(1, 10)}
    return (
        {"response_id": "r-1", "unit_id": "kel-a", "service_type": "KTP", "channel": "online"}
        | {"answers": answers}
        | changes
    )


@pytest.mark.parametrize("field", ["name", "phone", "email", "address", "nama"])
def test_personal_fields_are_refused(field: str) -> None:
    with pytest.raises(ValidationError):
        model.KioskResponse.model_validate(a_body(**{field: "x"}))


@pytest.mark.parametrize("value", [0, 5, "3.5"])
def test_answers_must_be_one_to_four(value: object) -> None:
    body = a_body()
    body["answers"]["u9"] = value
    with pytest.raises(ValidationError):
        model.KioskResponse.model_validate(body)


def test_missing_element_is_refused() -> None:
    body = a_body()
    del body["answers"]["u8"]
    with pytest.raises(ValidationError):
        model.KioskResponse.model_validate(body)


def test_period_defaults_to_the_quarter_in_the_programme_calendar() -> None:
    submission = model.KioskResponse.model_validate(a_body())
    wib = Calendar("Asia/Jakarta")
    at = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    assert decisions.kiosk_submitted(submission, at, wib).data.period == "2026-Q4"
    at = dt.datetime(2026, 3, 31, 16, 59, tzinfo=dt.UTC)  # 23:59 WIB on 31 March
    assert decisions.kiosk_submitted(submission, at, wib).data.period == "2026-Q1"
    at = dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC)  # 03:00 WIB on 1 April: Q2, though still March in UTC
    assert decisions.kiosk_submitted(submission, at, wib).data.period == "2026-Q2"


def test_token_bucket_allows_burst_then_waits() -> None:
    buckets = TokenBuckets(rate=2, burst=3)
    assert [buckets.take("a", now=0) for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a", now=0) == pytest.approx(0.5)
    assert buckets.take("b", now=0) == 0
    assert buckets.take("a", now=1) == 0
