"""Training domain: programmes, enrolments, project groups; pure data and rules, no I/O."""

import datetime as dt
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared import events
from shared.fields import Competency, Identifier, Jp, Nip, Score, Text

COMPETENCIES = (
    "digital_service",
    "online_service_guidance",
    "service_ethics",
    "data_management",
    "public_communication",
    "change_management",
)
MINUTES_PER_JP = 45


class ProgramFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    competency: Competency
    method: events.Method
    jp: Jp
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1, le=10_000)

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at < self.starts_at:
            msg = "ends_at must not be before starts_at"
            raise ValueError(msg)
        return self


class Program(ProgramFields):
    program_id: Identifier


class ProgramPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text | None = None
    jp: Jp | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=10_000)


class Enrolment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nip: Nip
    unit_id: Identifier | None = None


class ProjectGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: Identifier
    program_id: Identifier
    unit_id: Identifier
    brief: Text = Field(description="the real project the group works on")
    members: list[Nip] = Field(min_length=2, max_length=8)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.members)) != len(self.members):
            msg = "members must be distinct"
            raise ValueError(msg)
        return self


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: Score
    passed: bool
    completed_at: AwareDatetime | None = None


RecommendationStatus = Literal["open", "scheduled", "done"]


def completion_for(
    program: dict[str, object], nip: str, unit_id: str, assessment: Assessment, group_id: str | None
) -> events.TrainingCompleted:
    """The TrainingCompleted a catalogue programme produces for one person."""
    return events.TrainingCompleted(
        nip=nip,
        program_id=str(program["_id"]),
        competency=str(program["competency"]),
        method=program["method"],
        jp=int(program["jp"]),  # type: ignore[call-overload]
        score=assessment.score,
        passed=assessment.passed,
        group_id=group_id,
        unit_id=unit_id,
        completed_at=assessment.completed_at or dt.datetime.now(dt.UTC),
    )
