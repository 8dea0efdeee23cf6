"""Quarters as the portal shows them: the current one in the programme time zone, and the last four."""

import datetime as dt
import re

from shared.contract.calendar import Calendar

QUARTER = re.compile(r"^(20[0-9][0-9])-Q([1-4])$")


def current(timezone: str = "Asia/Jakarta", now: dt.datetime | None = None) -> str:
    return Calendar(timezone).quarter_of(now or dt.datetime.now(dt.UTC))


def chosen(value: str | None, timezone: str = "Asia/Jakarta") -> str:
    """The quarter asked for when it is well formed, else the current one."""
    return value if value and QUARTER.match(value) else current(timezone)


def last(period: str, count: int = 4) -> list[str]:
    """`count` quarters ending with `period`, oldest first."""
    match = QUARTER.match(period)
    if match is None:
        msg = f"not a quarter: {period}"
        raise ValueError(msg)
    index = int(match.group(1)) * 4 + int(match.group(2)) - 1
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]
