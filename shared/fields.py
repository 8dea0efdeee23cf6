"""Field types shared by the event contracts: NIP, unit ids, periods, scores, bounded times."""

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

_NIP = re.compile(r"^(\d{8})(\d{6})([12])(\d{3})$")
_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_FUTURE_SLACK = dt.timedelta(days=1)


def check_nip(value: str) -> str:
    """Validate a PNS NIP: birth date, appointment month after it and not in the future, sex digit.

    Perka BKN 22/2007: YYYYMMDD (birth) YYYYMM (appointment) S (1 male, 2 female) NNN (from 001).
    """
    match = _NIP.match(value)
    if match is None:
        msg = "NIP must be 18 digits: birth date, appointment month, sex digit 1 or 2, sequence"
        raise ValueError(msg)
    birth_text, appointed_text, _sex, sequence = match.groups()
    try:
        birth = dt.datetime.strptime(birth_text, "%Y%m%d").replace(tzinfo=dt.UTC).date()
        appointed = dt.datetime.strptime(appointed_text + "01", "%Y%m%d").replace(tzinfo=dt.UTC)
    except ValueError:
        msg = "NIP embeds an impossible birth date or appointment month"
        raise ValueError(msg) from None
    if appointed.date() <= birth:
        msg = "NIP appointment month must come after the birth date"
        raise ValueError(msg)
    if appointed > dt.datetime.now(dt.UTC):
        msg = "NIP appointment month is in the future"
        raise ValueError(msg)
    if sequence == "000":
        msg = "NIP sequence starts at 001"
        raise ValueError(msg)
    return value


def check_recent(value: dt.datetime) -> dt.datetime:
    """Refuse times before 2000 or more than a day in the future: a sane bound for event times."""
    if value < _EARLIEST or value > dt.datetime.now(dt.UTC) + _FUTURE_SLACK:
        msg = "time must be between 2000-01-01 and tomorrow"
        raise ValueError(msg)
    return value


Nip = Annotated[str, StringConstraints(min_length=18, max_length=18), AfterValidator(check_nip)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
UnitId = Slug
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Competency = Code
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Quarter = Annotated[str, StringConstraints(pattern=r"^20\d\d-Q[1-4]$")]
AppraisalPeriod = Annotated[str, StringConstraints(pattern=r"^20\d\d(-S[12]|-Q[1-4])?$")]
Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Jp = Annotated[int, Field(ge=1, le=200)]
Answer = Annotated[int, Field(ge=1, le=4)]
Points = Annotated[int, Field(gt=0, le=1_000_000)]
EventTime = Annotated[AwareDatetime, AfterValidator(check_recent)]
