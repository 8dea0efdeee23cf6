"""The programme catalogue: what a programme is, its typed record, and the catalogue decisions."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from shared import errors
from shared.contract import events
from shared.contract.calendar import Timezone
from shared.contract.fields import (
    COMPETENCIES,
    Competency,
    Count,
    EventTime,
    Identifier,
    Jp,
    PlannedTime,
    Score,
    Text,
)
from shared.persistence.state_store import Outcome, State

Capacity = Annotated[Count, Field(ge=1, le=5_000)]


class UnknownProgramError(errors.NotFoundError):
    def __init__(self) -> None:
        super().__init__("no such programme")


class ProgramExistsError(errors.ConflictError):
    def __init__(self) -> None:
        super().__init__("another programme has this program_id; change it with PATCH")


class ProgramFullError(errors.ConflictError):
    def __init__(self) -> None:
        super().__init__("the programme is full")


class CapacityError(errors.ConflictError):
    def __init__(self) -> None:
        super().__init__("capacity cannot go below the seats already taken")


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


class Programme(State):
    """A programme in the catalogue: its fields and its seats (None: not read, or not yet created).

    `program_id` is the document's key, filled in on reads and never written as a field.
    """

    program_id: str = Field(default="", exclude=True)
    title: str | None = None
    competency: str | None = None
    method: events.Method | None = None
    jp: int | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    timezone: str | None = None
    capacity: int | None = None
    enrolled_count: int | None = None
    seats: dict[str, str] | None = None

    @property
    def exists(self) -> bool:
        return self.title is not None

    @property
    def enrolled(self) -> int:
        return self.enrolled_count or 0

    def fields(self) -> dict[str, Any]:
        return self.model_dump(include=set(ProgramFields.model_fields))


def created(programme: Programme, program: Program) -> Outcome[Programme] | None:
    """A new programme with no seat taken; None for the very same programme (a retried POST)."""
    fields = program.model_dump(exclude={"program_id"})
    if programme.exists:
        if programme.fields() != fields:
            raise ProgramExistsError
        return None
    return Outcome(Programme(**fields, enrolled_count=0, seats={}))


def patched(programme: Programme, changes: ProgramPatch) -> Outcome[Programme]:
    """New catalogue fields; the merged programme must be valid (else InvalidError) and hold its seats."""
    if not programme.exists:
        raise UnknownProgramError
    given = changes.model_dump(exclude_unset=True)
    try:
        valid = ProgramFields.model_validate(programme.fields() | given)
    except ValidationError as error:
        raise errors.InvalidError("the changed programme is not valid", reasons=_in_body(error)) from None
    if valid.capacity < programme.enrolled:
        raise CapacityError
    return Outcome(programme.model_copy(update=given))


def _in_body(error: ValidationError) -> list[dict[str, Any]]:
    """Field-level reasons of a merged-programme check, located in the request body."""
    return [
        {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]} for e in error.errors()
    ]


def competencies(extra: Iterable[str] = ()) -> frozenset[str]:
    return frozenset(COMPETENCIES) | frozenset(extra)


def competency_error(code: str, allowed: frozenset[str], loc: tuple[str, ...]) -> dict[str, Any] | None:
    """A field-level 422 reason when `code` is not a configured competency."""
    if code in allowed:
        return None
    return {"loc": list(loc), "msg": f"unknown competency; one of {sorted(allowed)}", "type": "enum"}


def check_competency(code: str | None, allowed: frozenset[str], loc: tuple[str, ...]) -> None:
    """InvalidError naming the field when `code` is given and not a configured competency."""
    problem = None if code is None else competency_error(code, allowed, loc)
    if problem is not None:
        raise errors.InvalidError("unknown competency", reasons=[problem])


class Assessment(BaseModel):
    """How a person (or a project group) did: the score, whether it is a pass, and when."""

    model_config = ConfigDict(extra="forbid")

    score: Score
    passed: StrictBool
    completed_at: EventTime | None = None


def completion_for(
    programme: Programme,
    nip: str,
    unit_id: str,
    outcome: Assessment,
    *,
    completed_at: dt.datetime,
    group_id: str | None = None,
) -> events.TrainingCompleted:
    """The TrainingCompleted a catalogue programme yields for one person: JP and competency from it."""
    competency, method, jp = programme.competency, programme.method, programme.jp
    if competency is None or method is None or jp is None:
        raise UnknownProgramError
    return events.TrainingCompleted(
        nip=nip,
        program_id=programme.program_id,
        competency=competency,
        method=method,
        jp=jp,
        score=outcome.score,
        passed=outcome.passed,
        group_id=group_id,
        unit_id=unit_id,
        completed_at=completed_at,
    )


def local_schedule(programme: Programme, default_timezone: str) -> dict[str, str]:
    """Start and end in the programme's own timezone (stored as UTC instants)."""
    zone = zoneinfo.ZoneInfo(programme.timezone or default_timezone)
    starts_at, ends_at = programme.starts_at, programme.ends_at
    if starts_at is None or ends_at is None:
        msg = f"programme {programme.program_id} has no schedule"
        raise ValueError(msg)
    return {
        "starts_at": starts_at.astimezone(zone).isoformat(),
        "ends_at": ends_at.astimezone(zone).isoformat(),
        "timezone": str(zone),
    }
