"""The programme calendar: year, semester and quarter of an instant are its date in one time zone.

Every service asks this module, so a training at 05:00 WIB on 1 January counts in the new year
whether the sender wrote `Z`, `+07:00` or `+09:00`.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")
_PERIOD = re.compile(r"^([0-9]{4})(?:-([SQ])([1-4]))?$")
PeriodKind = Literal["year", "semester", "quarter"]
Clock = Callable[[], dt.datetime]


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        msg = "must be an IANA time zone such as Asia/Jakarta"
        raise ValueError(msg) from None
    return name


# A time zone setting or field: an IANA name, checked when it is read.
Timezone = Annotated[str, Field(max_length=64), AfterValidator(check_timezone)]


def utc_now() -> dt.datetime:
    """The real clock; services take a Clock so tests can pin "now"."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Calendar:
    """Periods in the programme's time zone (PROGRAMME_TIMEZONE, default Asia/Jakarta)."""

    timezone: str = "Asia/Jakarta"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.zone)

    def year_of(self, moment: dt.datetime) -> int:
        return self.local(moment).year

    def quarter_of(self, moment: dt.datetime) -> str:
        local = self.local(moment)
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"

    def semester_of(self, moment: dt.datetime) -> str:
        local = self.local(moment)
        return f"{local.year}-S{1 if local.month <= 6 else 2}"  # noqa: PLR2004 - June ends S1

    def quarter_start(self, quarter: str) -> dt.datetime:
        year, number = _parts(quarter)
        return dt.datetime(year, 3 * (number - 1) + 1, 1, tzinfo=self.zone)

    def quarter_end(self, quarter: str) -> dt.datetime:
        """The first instant after the quarter."""
        year, number = _parts(quarter)
        return dt.datetime(year + number // 4, 3 * number % 12 + 1, 1, tzinfo=self.zone)

    def period_start(self, period: str) -> dt.datetime:
        """The first instant of a `YYYY`, `YYYY-Sn` or `YYYY-Qn` period, midnight in the zone."""
        year, first, _ = _months(period)
        return dt.datetime(year, first, 1, tzinfo=self.zone)

    def period_end(self, period: str) -> dt.datetime:
        """The first instant after a `YYYY`, `YYYY-Sn` or `YYYY-Qn` period."""
        year, _, last = _months(period)
        return dt.datetime(year + last // 12, last % 12 + 1, 1, tzinfo=self.zone)


def period_kind(period: str) -> PeriodKind:
    """`2026` is a year, `2026-S1` a semester, `2026-Q1` a quarter."""
    _months(period)
    kinds: dict[str, PeriodKind] = {"S": "semester", "Q": "quarter"}
    return kinds.get(period[5:6], "year")


def _months(period: str) -> tuple[int, int, int]:
    """The year, first month and last month of a period."""
    match = _PERIOD.match(period)
    if match is None or (match.group(2) == "S" and match.group(3) not in {"1", "2"}):
        msg = f"not a period: {period[:20]!r} (YYYY, YYYY-Sn or YYYY-Qn)"
        raise ValueError(msg)
    year, kind, number = int(match.group(1)), match.group(2), int(match.group(3) or 1)
    size = {"S": 6, "Q": 3}.get(kind or "", 12)
    return year, size * (number - 1) + 1, size * number


def _parts(quarter: str) -> tuple[int, int]:
    match = _QUARTER.match(quarter)
    if match is None:
        msg = f"not a quarter: {quarter[:20]!r} (YYYY-Qn)"
        raise ValueError(msg)
    return int(match.group(1)), int(match.group(2))


def quarter_number(quarter: str) -> int:
    return _parts(quarter)[1]


def next_quarter(quarter: str) -> str:
    year, number = _parts(quarter)
    return f"{year + number // 4}-Q{number % 4 + 1}"


def quarters_after(quarter: str, through: str | None) -> list[str]:
    """The quarters after `quarter` up to `through` (inclusive); none when `through` is None."""
    found: list[str] = []
    current = next_quarter(quarter)
    while through is not None and current <= through:
        found.append(current)
        current = next_quarter(current)
    return found


def previous_quarter(quarter: str) -> str:
    year, number = _parts(quarter)
    return f"{year - (number == 1)}-Q{(number - 2) % 4 + 1}"


def semester_quarters(quarter: str) -> list[str]:
    """The quarters of `quarter`'s semester up to and including it (2026-Q2: Q1 and Q2)."""
    year, number = _parts(quarter)
    first = 1 if number <= 2 else 3  # noqa: PLR2004 - Q1-Q2 are the first semester
    return [f"{year}-Q{n}" for n in range(first, number + 1)]
