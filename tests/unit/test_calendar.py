"""One programme calendar: periods are dates in Asia/Jakarta whatever offset the sender wrote."""

import datetime as dt

import pytest

from shared.contract.calendar import Calendar, period_kind

WIB = Calendar()


@pytest.mark.parametrize(
    ("written", "year", "quarter"),
    [
        ("2025-12-31T22:00:00Z", 2026, "2026-Q1"),  # 05:00 WIB on 1 January
        ("2026-01-01T05:00:00+07:00", 2026, "2026-Q1"),
        ("2026-01-01T07:00:00+09:00", 2026, "2026-Q1"),
        ("2025-12-31T16:59:59Z", 2025, "2025-Q4"),  # 23:59:59 WIB
        ("2026-03-31T20:00:00Z", 2026, "2026-Q2"),  # 03:00 WIB on 1 April
        ("2026-04-01T06:59:00+07:00", 2026, "2026-Q2"),
        ("2026-04-01T08:00:00+09:00", 2026, "2026-Q2"),  # 06:00 WIB
    ],
)
def test_periods_are_the_date_in_the_programme_zone(written: str, year: int, quarter: str) -> None:
    moment = dt.datetime.fromisoformat(written)
    assert (WIB.year_of(moment), WIB.quarter_of(moment)) == (year, quarter)


def test_quarter_bounds() -> None:
    assert WIB.quarter_start("2026-Q2") == dt.datetime(2026, 4, 1, tzinfo=WIB.zone)
    assert WIB.quarter_end("2026-Q4") == dt.datetime(2027, 1, 1, tzinfo=WIB.zone)
    assert WIB.quarter_end("2026-Q1") == dt.datetime(2026, 4, 1, tzinfo=WIB.zone)
    assert WIB.semester_of(dt.datetime(2026, 6, 30, 18, tzinfo=dt.UTC)) == "2026-S2"  # 1 July 01:00 WIB


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2026", dt.datetime(2026, 1, 1, tzinfo=WIB.zone), dt.datetime(2027, 1, 1, tzinfo=WIB.zone)),
        ("2026-S1", dt.datetime(2026, 1, 1, tzinfo=WIB.zone), dt.datetime(2026, 7, 1, tzinfo=WIB.zone)),
        ("2026-S2", dt.datetime(2026, 7, 1, tzinfo=WIB.zone), dt.datetime(2027, 1, 1, tzinfo=WIB.zone)),
        ("2026-Q2", dt.datetime(2026, 4, 1, tzinfo=WIB.zone), dt.datetime(2026, 7, 1, tzinfo=WIB.zone)),
        ("2026-Q4", dt.datetime(2026, 10, 1, tzinfo=WIB.zone), dt.datetime(2027, 1, 1, tzinfo=WIB.zone)),
    ],
)
def test_every_period_kind_starts_and_ends_at_midnight_in_the_zone(
    period: str, start: dt.datetime, end: dt.datetime
) -> None:
    assert WIB.period_start(period) == start
    assert WIB.period_end(period) == end
    assert WIB.period_start(period).astimezone(dt.UTC).hour == 17  # the evening before, in UTC


def test_period_kinds() -> None:
    assert [period_kind(p) for p in ("2026", "2026-S2", "2026-Q3")] == ["year", "semester", "quarter"]
    with pytest.raises(ValueError, match="not a period"):
        period_kind("2026-S3")


def test_one_timezone_type_checks_the_programme_zone_and_a_programme_schedule_zone() -> None:
    from pydantic import TypeAdapter, ValidationError

    from shared.contract.calendar import Timezone
    from shared.settings import ServiceSettings

    assert TypeAdapter(Timezone).validate_python("Asia/Makassar") == "Asia/Makassar"
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ValidationError, match="IANA time zone"):
            TypeAdapter(Timezone).validate_python(bad)
    with pytest.raises(ValidationError, match="IANA time zone"):
        ServiceSettings(programme_timezone="WIB")
