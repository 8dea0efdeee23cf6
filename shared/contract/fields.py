"""Field types shared by the event contracts: NIP, unit ids, bounded text, strict numbers and times.

Everything an outsider sends is bounded here once: every string has a maximum length and refuses
control characters (NUL included) and lone surrogates; integers are JSON integers (`Strict`: no
`true`, `"8"` or `8.0`); a score is a JSON number, never a boolean or a string; times lie in a sane
window and are compared without overflowing near year 1 or 9999.
"""

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict, StringConstraints

_NIP = re.compile(r"^([0-9]{8})([0-9]{6})([12])([0-9]{3})$")
NIP_LENGTH = 18
_FIRST_PPPK_YEAR = 2014  # UU 5/2014 (ASN) created PPPK; no NI PPPK is older
_MONTHS = frozenset(f"{month:02d}" for month in range(1, 13))
_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LATEST_PLANNED = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
_FUTURE_SLACK = dt.timedelta(days=1)
# RFC 3339 date-time (CloudEvents `time`, xAPI timestamps): a numeric offset needs its colon.
_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_WESTMOST_OFFSET = dt.timedelta(hours=-12)  # UTC-12 (Baker Island)
_EASTMOST_OFFSET = dt.timedelta(hours=14)  # UTC+14 (Kiribati)
# C0 and C1 controls, DEL, lone surrogates and the bidirectional embedding, override and isolate
# controls (a "Trojan Source" name or topic reads differently on the dashboard than it is stored);
# prose may keep tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_IN_PROSE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def is_pppk_number(value: str) -> bool:
    """Whether an 18-digit number is a PPPK's NI PPPK: digits 13-14 are a code, not a month (REFERENCE 5)."""
    code = value[12:14]
    return len(value) == NIP_LENGTH and code.isdigit() and code not in _MONTHS


def _date(text: str) -> dt.date:
    """YYYYMMDD as a date (ValueError if impossible); strptime costs 10x as much, on every NIP."""
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def check_nip(value: str) -> str:
    """Validate a PNS NIP: birth date, appointment month after it and not in the future, sex digit.

    Perka BKN 22/2007: YYYYMMDD (birth) YYYYMM (appointment) S (1 male, 2 female) NNN (from 001).
    A PPPK's NI PPPK has the same shape with an appointment year and a 2-digit code that is not a
    month (REFERENCE 5: no month check on it); its year must fall in the PPPK era (UU 5/2014 created
    PPPK), so a PNS number with month 13 in 1988 is still refused.
    """
    match = _NIP.match(value)
    if match is None:
        msg = "NIP must be 18 digits: birth date, appointment month, sex digit 1 or 2, sequence"
        raise ValueError(msg)
    birth_text, appointed_text, _sex, sequence = match.groups()
    if is_pppk_number(value):
        appointed_text = appointed_text[:4] + "01"
        if int(appointed_text[:4]) < _FIRST_PPPK_YEAR:
            msg = "NIP embeds an impossible birth date or appointment month"
            raise ValueError(msg)
    try:
        birth = _date(birth_text)
        appointed = _date(appointed_text + "01")
    except ValueError:
        msg = "NIP embeds an impossible birth date or appointment month"
        raise ValueError(msg) from None
    if appointed <= birth:
        msg = "NIP appointment month must come after the birth date"
        raise ValueError(msg)
    if appointed > dt.datetime.now(dt.UTC).date():
        msg = "NIP appointment month is in the future"
        raise ValueError(msg)
    if sequence == "000":
        msg = "NIP sequence starts at 001"
        raise ValueError(msg)
    return value


def _within(value: dt.datetime, earliest: dt.datetime, latest: dt.datetime) -> bool:
    """Compare without OverflowError: 0001-01-01T00:00+14:00 has no UTC equivalent to compare."""
    try:
        return earliest <= value <= latest
    except OverflowError:
        return False


def check_rfc3339(value: object) -> object:
    """An outsider's time is an RFC 3339 string; pydantic alone would also take 1764660000 or +0700.

    Values already parsed (a datetime read back from the store) pass through.
    """
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        msg = "time must be an RFC 3339 date-time such as 2026-11-02T09:00:00+07:00"
        raise ValueError(msg)
    return value


def check_offset(value: dt.datetime) -> dt.datetime:
    offset = value.utcoffset()
    if offset is not None and not _WESTMOST_OFFSET <= offset <= _EASTMOST_OFFSET:
        msg = "a UTC offset lies between -12:00 and +14:00"
        raise ValueError(msg)
    return value


_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-[\x21-\x7e]{1,64})?$")


def check_traceparent(value: str) -> str:
    """W3C Trace Context: version 00 exactly (a later one may append fields); never version ff or zero ids.

    The consumer carries a traceparent onto the bus as it came; one that is not valid is refused.
    """
    match = _TRACEPARENT.match(value)
    if (
        match is None
        or match.group(1) == "ff"
        or (match.group(1) == "00" and match.group(4) is not None)
        or set(match.group(2)) == {"0"}
        or set(match.group(3)) == {"0"}
    ):
        msg = "traceparent must be a W3C trace context such as 00-<32 hex>-<16 hex>-01"
        raise ValueError(msg)
    return value


def check_recent(value: dt.datetime) -> dt.datetime:
    """Refuse times before 2000 or more than a day in the future: a sane bound for event times."""
    if not _within(value, _EARLIEST, dt.datetime.now(dt.UTC) + _FUTURE_SLACK):
        msg = "time must be between 2000-01-01 and tomorrow"
        raise ValueError(msg)
    return value


def check_plannable(value: dt.datetime) -> dt.datetime:
    """Refuse planned times (programme dates) outside 2000-2099."""
    if not _within(value, _EARLIEST, _LATEST_PLANNED):
        msg = "time must lie between 2000-01-01 and 2099-12-31"
        raise ValueError(msg)
    return value


def check_line(value: str) -> str:
    if _CONTROL.search(value):
        msg = "control characters (NUL, line breaks, bidi overrides...) and lone surrogates are not allowed"
        raise ValueError(msg)
    return value


def check_prose(value: str) -> str:
    if _CONTROL_IN_PROSE.search(value):
        msg = "control characters but tab and line breaks, bidi overrides and lone surrogates are not allowed"
        raise ValueError(msg)
    return value


Nip = Annotated[str, StringConstraints(min_length=18, max_length=18), AfterValidator(check_nip)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
UnitId = Annotated[
    Slug,
    Field(
        description="A unit of UNITS_FILE (GET /units lists them; by default kec-candisari and its "
        "seven kelurahan, e.g. kel-candi); any other id is refused with 422."
    ),
]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Competency = Code
# The documented competency codes; evaluation's rules file and training's EXTRA_COMPETENCIES add more.
COMPETENCIES = (
    "digital_service",
    "online_service_guidance",
    "service_ethics",
    "data_management",
    "public_communication",
    "change_management",
)
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(check_line)]
Line = Annotated[str, AfterValidator(check_line)]  # add a max_length with Field where used
Comment = Annotated[str, StringConstraints(max_length=2000), AfterValidator(check_prose)]
LongText = Annotated[str, StringConstraints(max_length=4000), AfterValidator(check_prose)]
Quarter = Annotated[
    str,
    StringConstraints(pattern=r"^20[0-9][0-9]-Q[1-4]$"),
    Field(description="YYYY-Qn in the programme calendar (PROGRAMME_TIMEZONE); one not started yet: 422."),
]
AppraisalPeriod = Annotated[
    str,
    StringConstraints(pattern=r"^20[0-9][0-9](-S[12]|-Q[1-4])?$"),
    Field(description="YYYY, YYYY-Sn or YYYY-Qn in the programme calendar; one not started yet: 422."),
]
Score = Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)]  # int or float, no bool
Jp = Annotated[int, Strict(), Field(ge=1, le=200)]
Answer = Annotated[int, Strict(), Field(ge=1, le=4, description='A JSON integer 1-4 (not 4.0, "4" or true).')]
Points = Annotated[int, Strict(), Field(gt=0, le=1_000_000)]
Count = Annotated[int, Strict()]  # add bounds with Field where used
TraceParent = Annotated[str, StringConstraints(max_length=128), AfterValidator(check_traceparent)]
# An RFC 3339 string with an offset of a real zone; EventTime and PlannedTime bound it further.
_Rfc3339Time = Annotated[AwareDatetime, BeforeValidator(check_rfc3339), AfterValidator(check_offset)]
EventTime = Annotated[_Rfc3339Time, AfterValidator(check_recent)]
PlannedTime = Annotated[_Rfc3339Time, AfterValidator(check_plannable)]
