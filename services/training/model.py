"""Training domain: programmes, groups, completions and recommendations; pure data and rules, no I/O."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from shared import events
from shared.fields import (
    Competency,
    Count,
    EventTime,
    Identifier,
    Jp,
    LongText,
    Nip,
    PlannedTime,
    Score,
    Text,
    UnitId,
)

# The documented competency codes; more come from the EXTRA_COMPETENCIES setting.
COMPETENCIES = (
    "digital_service",
    "online_service_guidance",
    "service_ethics",
    "data_management",
    "public_communication",
    "change_management",
)
MIN_MEMBERS, MAX_MEMBERS = 2, 8
Capacity = Annotated[Count, Field(ge=1, le=5_000)]


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        msg = "timezone must be an IANA name such as Asia/Jakarta"
        raise ValueError(msg) from None
    return name


Timezone = Annotated[str, Field(max_length=64), AfterValidator(check_timezone)]


class ProgramFields(BaseModel):
    """What the catalogue says about a programme (without its id)."""

    model_config = ConfigDict(extra="forbid")

    title: Text
    competency: Competency
    method: events.Method
    jp: Jp = Field(description="jam pelajaran; 1 JP = 45 minutes (MINUTES_PER_JP)")
    starts_at: PlannedTime
    ends_at: PlannedTime
    timezone: Timezone | None = Field(default=None, description="IANA zone the schedule is shown in")
    capacity: Capacity

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at < self.starts_at:
            msg = "ends_at must not be before starts_at"
            raise ValueError(msg)
        return self


class Program(ProgramFields):
    program_id: Identifier


class ProgramPatch(BaseModel):
    """Fields a PATCH may change; the merged programme is validated again as a whole."""

    model_config = ConfigDict(extra="forbid")

    title: Text | None = None
    competency: Competency | None = None
    jp: Jp | None = None
    starts_at: PlannedTime | None = None
    ends_at: PlannedTime | None = None
    timezone: Timezone | None = None
    capacity: Capacity | None = None


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    unit_id: UnitId | None = None


class GroupMember(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    unit_id: UnitId | None = Field(default=None, description="defaults to the group's unit")


class ProjectGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: Identifier
    program_id: Identifier
    unit_id: UnitId
    brief: Annotated[LongText, Field(min_length=1)] = Field(description="the real project the group works on")
    members: list[Nip | GroupMember] = Field(min_length=MIN_MEMBERS, max_length=MAX_MEMBERS)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        nips = [m if isinstance(m, str) else m.nip for m in self.members]
        if len(set(nips)) != len(nips):
            msg = "members must be distinct"
            raise ValueError(msg)
        return self

    def explicit_units(self) -> dict[str, str | None]:
        """NIP -> the unit named for that member (None: the person's known unit, else the group's)."""
        units: dict[str, str | None] = {}
        for member in self.members:
            if isinstance(member, str):
                units[member] = None
            else:
                units[member.nip] = member.unit_id
        return units


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Score
    passed: StrictBool
    completed_at: EventTime | None = None


def competencies(extra: Iterable[str] = ()) -> frozenset[str]:
    return frozenset(COMPETENCIES) | frozenset(extra)


def competency_error(code: str, allowed: frozenset[str], loc: tuple[str, ...]) -> dict[str, Any] | None:
    """A field-level 422 reason when `code` is not a configured competency."""
    if code in allowed:
        return None
    return {"loc": list(loc), "msg": f"unknown competency; one of {sorted(allowed)}", "type": "enum"}


def completion_for(
    program: Mapping[str, Any],
    nip: str,
    unit_id: str,
    outcome: Assessment,
    *,
    completed_at: dt.datetime,
    group_id: str | None = None,
) -> events.TrainingCompleted:
    """The TrainingCompleted a catalogue programme yields for one person: JP and competency from it."""
    return events.TrainingCompleted(
        nip=nip,
        program_id=str(program["_id"]),
        competency=str(program["competency"]),
        method=program["method"],
        jp=int(program["jp"]),
        score=outcome.score,
        passed=outcome.passed,
        group_id=group_id,
        unit_id=unit_id,
        completed_at=completed_at,
    )


def local_schedule(program: Mapping[str, Any], default_timezone: str) -> dict[str, str]:
    """Start and end in the programme's own timezone (stored as UTC instants)."""
    zone = zoneinfo.ZoneInfo(program.get("timezone") or default_timezone)
    return {
        "starts_at": program["starts_at"].astimezone(zone).isoformat(),
        "ends_at": program["ends_at"].astimezone(zone).isoformat(),
        "timezone": str(zone),
    }
