"""The active rule set: loaded from a TOML rules file (defaults in default_rules.toml)."""

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared import events

DEFAULT_FILE = Path(__file__).with_name("default_rules.toml")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


ELEMENTS = tuple(f"u{i}" for i in range(1, 10))


class IkmRules(_Section):
    """Element weights: exact 1/9 unless a unit's weights (summing to 1) are configured."""

    unit_weights: dict[str, dict[str, float]] = {}

    @field_validator("unit_weights")
    @classmethod
    def _sum_to_one(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for unit, weights in value.items():
            if set(weights) != set(ELEMENTS) or abs(sum(weights.values()) - 1) > 1e-6:  # noqa: PLR2004
                msg = f"weights of {unit} must name u1..u9 and sum to 1"
                raise ValueError(msg)
        return value

    def weights_for(self, unit_id: str) -> dict[str, float]:
        return self.unit_weights.get(unit_id) or dict.fromkeys(ELEMENTS, 1 / 9)


class TrainingRules(_Section):
    reward_min_score: float = 85
    reward_points: int = Field(10, gt=0)
    retrain_below: float = 70


class JpRules(_Section):
    duty: int = Field(20, gt=0)
    reward_points: int = Field(20, gt=0)
    competency: str = "digital_service"


class AppraisalRules(_Section):
    points: dict[events.Rating, int] = {"SANGAT_BAIK": 30, "BAIK": 10}
    retrain: tuple[events.Rating, ...] = ("BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
    competency: str = "change_management"


class AdaptationRules(_Section):
    training_competency: str = "digital_service"
    min_answers: int = Field(5, gt=0)
    min_average: float = 3.5
    points: int = Field(25, gt=0)


class UnitRules(_Section):
    nrr_below: float = 2.6
    min_responses: int = Field(30, gt=0)
    competency: dict[str, str]
    online_competency: dict[str, str] = {}

    def competency_for(self, element: str, channel: str) -> str:
        if channel == "online" and element in self.online_competency:
            return self.online_competency[element]
        return self.competency[element]


class Rules(_Section):
    ikm: IkmRules = IkmRules()
    training: TrainingRules = TrainingRules()
    jp: JpRules = JpRules()
    appraisal: AppraisalRules = AppraisalRules()
    adaptation: AdaptationRules = AdaptationRules()
    unit: UnitRules


def load(path: Path | None = None) -> Rules:
    raw: dict[str, Any] = tomllib.loads((path or DEFAULT_FILE).read_text())
    return Rules.model_validate(raw)
