"""The wire contract: one frozen pydantic model per event type, with its routing key."""

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, model_validator

from shared.contract.fields import (
    Answer,
    AppraisalPeriod,
    Code,
    Competency,
    EventTime,
    Identifier,
    Jp,
    Nip,
    Points,
    Quarter,
    Score,
    Text,
    UnitId,
)

Method = Literal["classroom", "e_learning", "project_based"]
Channel = Literal["online", "counter"]
Category = Literal["complaint", "suggestion", "appreciation"]
Rating = Literal["SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"]
EmployeeType = Literal["PNS", "PPPK"]
Resolution = Literal["done", "expired", "withdrawn"]
CausedBy = tuple[Identifier, ...]
MAX_ATTENDED_BY = 1000  # civil servants named as attending one forum
ForumDate = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2099, 12, 31))]


class Event(BaseModel):
    """Base of every event's `data`: frozen, and unknown fields are refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    routing_key: ClassVar[str]


class TrainingCompleted(Event):
    """A civil servant finished a training: its competency, hours (JP), score and result."""

    routing_key: ClassVar[str] = "training.completed"

    nip: Nip
    program_id: Identifier
    competency: Competency
    method: Method
    jp: Jp
    score: Score
    passed: StrictBool
    group_id: Identifier | None = None
    unit_id: UnitId
    completed_at: EventTime


class Answers(BaseModel):
    """The nine SKM elements u1..u9 (PermenPANRB 14/2017), each 1-4, all required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    u1: Answer
    u2: Answer
    u3: Answer
    u4: Answer
    u5: Answer
    u6: Answer
    u7: Answer
    u8: Answer
    u9: Answer


class Respondent(BaseModel):
    """Anonymous respondent profile: no name, phone or e-mail exists here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    age_band: Literal["<25", "25-34", "35-44", "45-54", "55+"] | None = None
    sex: Literal["L", "P"] | None = None
    education: Literal["SD", "SMP", "SMA", "D3", "S1", "S2", "S3"] | None = None
    occupation: Text | None = None


class SurveySubmitted(Event):
    """A citizen rated a unit's service on the nine SKM elements; anonymous."""

    routing_key: ClassVar[str] = "survey.submitted"

    response_id: Identifier
    unit_id: UnitId
    service_type: Text
    channel: Channel
    period: Quarter
    answers: Answers
    served_by_nip: Nip | None = None
    respondent: Respondent | None = None


class FeedbackReceived(Event):
    """Feedback about a unit from a forum or channel; its free text stays in the survey service."""

    routing_key: ClassVar[str] = "survey.feedback_received"

    feedback_id: Identifier
    forum_id: Identifier | None = None  # omitted on the wire when null
    unit_id: UnitId
    category: Category
    topic: Text  # the item's own words in short (a summary); its full text stays in survey
    received_at: EventTime
    # Additive extension: the configured topic (TOPICS_FILE) it is filed under; survey refuses an
    # unknown code (422). Events without it (older producers) count under no topic.
    topic_code: Code | None = None


class ForumHeld(Event):
    """A dialogue forum was held for a unit: when, about what, and the civil servants who attended."""

    routing_key: ClassVar[str] = "survey.forum_held"

    forum_id: Identifier
    unit_id: UnitId
    date: ForumDate
    topic: Text
    topic_code: Code | None = None
    attendees: Annotated[int, Strict(), Field(ge=0, le=100_000)]
    attended_by: tuple[Nip, ...] = Field(default=(), max_length=MAX_ATTENDED_BY)

    @model_validator(mode="after")
    def _named_ones_attended(self) -> "ForumHeld":
        if len(set(self.attended_by)) != len(self.attended_by) or self.attendees < len(self.attended_by):
            msg = "attended_by must name each person once, and attendees count at least them"
            raise ValueError(msg)
        return self


class PerformanceAppraised(Event):
    """An e-Kinerja appraisal of a civil servant for a period."""

    routing_key: ClassVar[str] = "performance.appraised"

    nip: Nip
    unit_id: UnitId
    period: AppraisalPeriod
    rating: Rating


class RewardTriggered(Event):
    """An evaluation rule awards points to a civil servant, once per its firing key."""

    routing_key: ClassVar[str] = "evaluation.reward_triggered"

    nip: Nip
    # Positive, except in a correction (`corrects` set): the difference, negative to take back.
    points: Annotated[int, Strict(), Field(ge=-1_000_000, le=1_000_000)]
    rule_id: Code
    reason: Text
    caused_by: CausedBy
    # Additive extension: the person's unit when known, so rewards can rank per unit.
    unit_id: UnitId | None = None
    # Additive extension: the id of the fact this reward corrects (e.g. the superseded appraisal);
    # rewards books such a trigger as a `correction` entry.
    corrects: Identifier | None = None

    @model_validator(mode="after")
    def _positive_unless_a_correction(self) -> "RewardTriggered":
        if self.points == 0 or (self.points < 0 and self.corrects is None):
            msg = "points must be positive, or non-zero in a correction (with `corrects`)"
            raise ValueError(msg)
        return self


class RetrainingRecommended(Event):
    """An evaluation rule recommends retraining one person or a whole unit in a competency."""

    routing_key: ClassVar[str] = "evaluation.retraining_recommended"

    recommendation_id: Identifier
    nip: Nip | None = None
    unit_id: UnitId | None = None
    competency: Competency
    rule_id: Code
    reason: Text
    evidence: dict[str, Any] = Field(max_length=50)
    caused_by: CausedBy

    @model_validator(mode="after")
    def _one_target(self) -> "RetrainingRecommended":
        if (self.nip is None) == (self.unit_id is None):
            msg = "exactly one of nip or unit_id is required"
            raise ValueError(msg)
        return self


class RewardPointsGranted(Event):
    """An entry in a person's points ledger (negative for a correction) and the new balance."""

    routing_key: ClassVar[str] = "rewards.points_granted"

    nip: Nip
    points: int
    balance: int = Field(ge=0)
    rule_id: Code
    ledger_entry_id: Identifier


class RewardRedeemed(Event):
    """A person spent points on an item; the balance never goes below zero."""

    routing_key: ClassVar[str] = "rewards.redeemed"

    nip: Nip
    points: Points
    balance: int = Field(ge=0)
    item: Text
    redemption_id: Identifier


class RetrainingScheduled(Event):
    """Training enrolled the person of a recommendation in a programme."""

    routing_key: ClassVar[str] = "training.retraining_scheduled"

    recommendation_id: Identifier
    nip: Nip
    program_id: Identifier


class RetrainingWithdrawn(Event):
    """The person of a recommendation gave up the seat training scheduled: it is open again."""

    routing_key: ClassVar[str] = "training.retraining_withdrawn"

    recommendation_id: Identifier
    nip: Nip
    program_id: Identifier


class RosterChanged(Event):
    """A person joined, moved or left a unit; the name stays in the training service."""

    routing_key: ClassVar[str] = "training.roster_changed"

    nip: Nip
    unit_id: UnitId
    employee_type: EmployeeType
    active: bool


class RecommendationResolved(Event):
    """A retraining recommendation is closed: done, expired or withdrawn, with its evidence."""

    routing_key: ClassVar[str] = "evaluation.recommendation_resolved"

    recommendation_id: Identifier
    status: Resolution
    evidence: dict[str, Any] = Field(max_length=50)
    resolved_at: EventTime


ALL: tuple[type[Event], ...] = (
    TrainingCompleted,
    SurveySubmitted,
    FeedbackReceived,
    ForumHeld,
    PerformanceAppraised,
    RewardTriggered,
    RetrainingRecommended,
    RewardPointsGranted,
    RewardRedeemed,
    RetrainingScheduled,
    RetrainingWithdrawn,
    RosterChanged,
    RecommendationResolved,
)
BY_TYPE: dict[str, type[Event]] = {cls.__name__: cls for cls in ALL}
