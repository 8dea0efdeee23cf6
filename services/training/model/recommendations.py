"""A retraining recommendation on a person's record: opened, scheduled by training, resolved by evaluation."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

# open -> scheduled (training gave a seat) -> done | expired | withdrawn (evaluation resolved it).
Status = Literal["open", "scheduled", "done", "expired", "withdrawn"]
ACTIVE = frozenset({"open", "scheduled"})


class DoneBy(BaseModel):
    model_config = ConfigDict(frozen=True)

    program_id: str
    score: float


class Recommendation(BaseModel):
    """On the person's record: open -> scheduled (a seat) -> done, expired or withdrawn (by evaluation)."""

    model_config = ConfigDict(frozen=True)

    recommendation_id: str
    competency: str
    rule_id: str
    reason: str
    target: Literal["person", "unit"]
    unit_id: str | None = None
    status: Status = "open"
    opened_at: dt.datetime | None = None
    caused_by: list[str] = Field(default_factory=list)
    program_id: str | None = None
    scheduled_at: dt.datetime | None = None
    done_by: DoneBy | None = None  # older records: training once closed recommendations itself
    resolved_at: dt.datetime | None = None
    evidence: dict[str, Any] | None = None
    withdrawals: int = 0  # seats given up: each new scheduling and withdrawal has its own event id

    @model_serializer(mode="wrap")
    def _steps_taken(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The scheduling and closing fields appear once set (as they are stored)."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None or k not in _LATER}


_LATER = frozenset({"program_id", "scheduled_at", "done_by", "resolved_at", "evidence"})
