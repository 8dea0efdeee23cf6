"""The programme calendar: year, semester and quarter of an instant are its date in one time zone.

Every service asks this module, so a training at 05:00 WIB on 1 January counts in the new year
whether the sender wrote `Z`, `+07:00` or `+09:00`.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


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


def _parts(quarter: str) -> tuple[int, int]:
    match = _QUARTER.match(quarter)
    if match is None:
        msg = f"not a quarter: {quarter[:20]!r} (YYYY-Qn)"
        raise ValueError(msg)
    return int(match.group(1)), int(match.group(2))


def quarter_number(quarter: str) -> int:
    return _parts(quarter)[1]
