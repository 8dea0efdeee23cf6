"""Project-based groups: 2-8 people on a real project; the assessment completes it for each member."""

import datetime as dt
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.training.model.programmes import Assessment
from shared import errors
from shared.contract.fields import Identifier, LongText, Nip, UnitId
from shared.contract.identifiers import derived_id
from shared.persistence.state_store import Outcome, State

MIN_MEMBERS, MAX_MEMBERS = 2, 8


class UnknownGroupError(errors.NotFoundError):
    def __init__(self, message: str = "no such group") -> None:
        super().__init__(message)


class NotProjectBasedError(errors.InvalidError):
    """Groups belong to project_based programmes only."""

    def __init__(self) -> None:
        message = "not a project_based programme"
        reason = {"loc": ["body", "program_id"], "msg": message, "type": "value_error"}
        super().__init__(message, reasons=[reason])


class GroupExistsError(errors.ConflictError):
    def __init__(self) -> None:
        super().__init__("another group has this group_id")


class AssessedOtherwiseError(errors.ConflictError):
    def __init__(self) -> None:
        super().__init__("the group was assessed with another result")


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


class Member(BaseModel):
    model_config = ConfigDict(frozen=True)

    nip: str
    unit_id: str | None = None


class RecordedAssessment(BaseModel):
    """The assessment as recorded once: the time kept as text (its offset survives), units per member."""

    model_config = ConfigDict(frozen=True)

    score: float
    passed: bool
    completed_at: str
    units: dict[str, str]

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.completed_at)

    @property
    def outcome(self) -> Assessment:
        return Assessment(score=self.score, passed=self.passed)


class Group(State):
    """A project group; `group_id` is the document's key, filled in on reads and never written as a field."""

    group_id: str = Field(default="", exclude=True)
    program_id: str | None = None
    unit_id: str | None = None
    brief: str | None = None
    members: list[Member] = Field(default_factory=list)
    assessment: RecordedAssessment | None = None

    @property
    def exists(self) -> bool:
        return self.program_id is not None


def formed(group: Group, request: ProjectGroup) -> Outcome[Group] | None:
    """The group as requested; None for the very same group (a retried POST)."""
    members = [Member(nip=nip, unit_id=unit) for nip, unit in request.explicit_units().items()]
    wanted = Group(
        program_id=request.program_id, unit_id=request.unit_id, brief=request.brief, members=members
    )
    if group.exists:
        if group.model_dump(exclude={"assessment"}) != wanted.model_dump(exclude={"assessment"}):
            raise GroupExistsError
        return None
    return Outcome(wanted)


def member_units(group: Group, known: dict[str, str | None]) -> dict[str, str]:
    """Each member's unit: as named in the group, else the person's known unit, else the group's."""
    return {m.nip: m.unit_id or known.get(m.nip) or group.unit_id or "" for m in group.members}


def assessed(group: Group, wanted: RecordedAssessment) -> Outcome[Group] | None:
    """Record the assessment once; the same result again changes nothing, another one conflicts."""
    if group.assessment is None:
        return Outcome(group.model_copy(update={"assessment": wanted}))
    if (group.assessment.score, group.assessment.passed) != (wanted.score, wanted.passed):
        raise AssessedOtherwiseError
    return None


def completion_id(group_id: str, nip: str) -> str:
    """Deterministic: a retried assessment publishes the same event ids."""
    return derived_id("group-completion", group_id, nip)
