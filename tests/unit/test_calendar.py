"""One programme calendar: periods are dates in Asia/Jakarta whatever offset the sender wrote."""

import datetime as dt

import pytest

from shared.calendar import Calendar

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
