"""Evaluation's aggregates: a person's record, a unit's quarter, IKM tally shards; rule decisions."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract import events
from shared.persistence.state_store import SEALED_PAGE, State

# What this service publishes (checked against the code by tests/unit/test_architecture.py).
PUBLISHES: tuple[type[events.Event], ...] = (
    events.PerformanceAppraised,
    events.RewardTriggered,
    events.RetrainingRecommended,
    events.RecommendationResolved,
)
Status = Literal["open", "scheduled", "done", "expired", "withdrawn"]
ACTIVE: frozenset[str] = frozenset({"open", "scheduled"})
STATUSES: tuple[str, ...] = ("open", "scheduled", "done", "expired", "withdrawn")


@dataclass(frozen=True)
class Reward:
    rule_id: str
    points: int
    reason: str
    key: tuple[str, ...]
    corrects: str | None = None  # a correction: the fact it corrects (points may be negative)
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    rule_id: str
    competency: str
    reason: str
    key: tuple[str, ...]
    evidence: dict[str, Any] = field(default_factory=dict)
    caused_by: tuple[str, ...] = ()
    opened_at: str | None = None  # when the weakness it answers was seen (default: when it fired)


Decision = Reward | Recommendation


class Step(BaseModel):
    """One change of a recommendation's status: what, when, and the evidence for it."""

    model_config = ConfigDict(frozen=True)

    status: Status
    at: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class Firing(BaseModel):
    """A rule that fired: the event it published, why, and (recommendations) where it stands."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: Literal["RewardTriggered", "RetrainingRecommended"]
    rule_id: str
    reason: str
    caused_by: tuple[str, ...]
    at: str
    points: int | None = None
    competency: str | None = None
    evidence: dict[str, Any] | None = None
    status: Status | None = None
    program_id: str | None = None
    corrects: str | None = None
    history: tuple[Step, ...] = ()
    seats: dict[str, str] = Field(default_factory=dict)  # field_key(nip) -> programme scheduled

    @property
    def is_recommendation(self) -> bool:
        return self.type == "RetrainingRecommended"

    def seated_in(self, program_id: str | None) -> bool:
        """Whether a seat for it is held in `program_id` (None: in any programme)."""
        held = {*self.seats.values(), *([self.program_id] if self.program_id else [])}
        return bool(held) if program_id is None else program_id in held


class Training(BaseModel):
    """A completion as received (times kept as sent, with their offset)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    event_id: str
    program_id: str
    competency: str
    jp: int
    score: float
    passed: bool
    completed_at: str


class Appraisal(BaseModel):
    """The rating in force for one period, what it pays, and the ratings it superseded."""

    model_config = ConfigDict(frozen=True, extra="allow")

    event_id: str
    period: str
    rating: str
    paid: int = 0  # points paid for this period so far (after corrections)
    recommendation: str | None = None  # the firing key of the recommendation it caused
    note: str | None = None  # why it pays nothing, when it does not
    supersedes: tuple[tuple[str, str], ...] = ()  # (event id, rating) of earlier appraisals


class Spread(BaseModel):
    """Per answer, its sum over the officer's `elements`: how many answers, their sum and sum of squares.

    What a mean and a sample variance need (services/evaluation/welch.py); kept from the first
    answer after it existed, so its `count` may be below the quarter's.
    """

    model_config = ConfigDict(frozen=True)

    elements: tuple[str, ...]
    count: int = 0
    total: int = 0
    squares: int = 0

    def plus(self, score: int) -> "Spread":
        return self.model_copy(
            update={"count": self.count + 1, "total": self.total + score, "squares": self.squares + score**2}
        )


class Served(BaseModel):
    """Answers naming the person in one quarter: the sum of their 1-4 values, how many, recent ids.

    `sums` holds the sum per element (answers recorded before it existed have only `sum`);
    `officer` the spread of the answers on the officer's elements (absent before it existed).
    """

    model_config = ConfigDict(frozen=True)

    sum: int = 0
    sums: dict[str, int] = Field(default_factory=dict)
    count: int = 0
    events: tuple[str, ...] = ()
    officer: Spread | None = None


class Attended(BaseModel):
    """A forum the person attended (from ForumHeld), kept under the event's key."""

    model_config = ConfigDict(frozen=True)

    forum_id: str
    date: str  # YYYY-MM-DD
    unit_id: str
    topic: str
    topic_code: str | None = None


class Person(State):
    """One civil servant as evaluation sees them, keyed by NIP.

    Trainings and reward firings are history: sealed in pages as they age. Recommendations stay
    in place, whatever their status: `holding` finds one by its id with a store query.
    """

    sealed_maps: ClassVar[Mapping[str, int]] = {"trainings": SEALED_PAGE, "firings": SEALED_PAGE}

    @classmethod
    def sealable(cls, name: str, entry: Any) -> bool:
        return name != "firings" or entry.get("type") == "RewardTriggered"

    unit_id: str | None = None
    trainings: dict[str, Training] = Field(default_factory=dict)
    jp: dict[str, int] = Field(default_factory=dict)
    jp_quarters: dict[str, int] = Field(default_factory=dict)
    appraisals: dict[str, Appraisal] = Field(default_factory=dict)
    served: dict[str, Served] = Field(default_factory=dict)
    # Indexed lists for the effectiveness reads: programmes passed, quarters with a pass.
    programs: tuple[str, ...] = ()
    pass_quarters: tuple[str, ...] = ()
    digital_since: str | None = None
    firings: dict[str, Firing] = Field(default_factory=dict)
    open_recs: int = 0
    forums: dict[str, Attended] = Field(default_factory=dict)  # field_key(ForumHeld id) -> forum


class Feedback(BaseModel):
    """One feedback item of a unit's quarter (from FeedbackReceived): its topic code and category."""

    model_config = ConfigDict(frozen=True)

    feedback_id: str
    event_id: str
    category: str
    topic_code: str | None = None  # None: an event from before topics (counted under no topic)


class ForumQuarter(State):
    """A unit's feedback items of one quarter, each under the key of its feedback id (natural key)."""

    unit_id: str | None = None
    period: str | None = None
    items: dict[str, Feedback] = Field(default_factory=dict)


class UnitQuarter(State):
    """The unit rule's firings for one unit and quarter."""

    unit_id: str | None = None
    period: str | None = None
    firings: dict[str, Firing] = Field(default_factory=dict)
    open_recs: int = 0


class QuarterClose(State):
    """A quarter's close, claimed once: by the scheduler after the grace days, or by an early run."""

    period: str | None = None
    closed_at: str | None = None
    closed_by: str | None = None  # "scheduler" or "run"
    judged_at: str | None = None


class TallyShard(State):
    """One of a unit-quarter's shards of SKM answers: sums per channel and element, counts, recent ids."""

    unit_id: str | None = None
    period: str | None = None
    sums: dict[str, dict[str, int]] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    recent: dict[str, list[str]] = Field(default_factory=dict)
