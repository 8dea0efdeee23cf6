"""The active rule set: loaded from a TOML rules file (defaults in default_rules.toml), checked whole."""

import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.contract import events
from shared.contract.calendar import Calendar, PeriodKind
from shared.contract.fields import COMPETENCIES

DEFAULT_FILE = Path(__file__).with_name("default_rules.toml")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


ELEMENTS = tuple(f"u{i}" for i in range(1, 10))
SUM_LOW, SUM_HIGH = Fraction(999_999, 10**6), Fraction(1_000_001, 10**6)  # weights written to 6 places


class IkmRules(_Section):
    """Element weights: exact 1/9 unless a unit's weights (summing to 1) are configured."""

    unit_weights: dict[str, dict[str, float]] = {}

    @field_validator("unit_weights")
    @classmethod
    def _sum_to_one(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for unit, weights in value.items():
            if any(w < 0 for w in weights.values()):
                msg = f"weights of {unit} must be non-negative"
                raise ValueError(msg)
            total = sum((Fraction(str(w)) for w in weights.values()), Fraction(0))
            if set(weights) != set(ELEMENTS) or not SUM_LOW <= total <= SUM_HIGH:
                msg = f"weights of {unit} must name u1..u9 and sum to 1"
                raise ValueError(msg)
        return value

    def weights_for(self, unit_id: str) -> dict[str, Fraction]:
        """Exact weights: as written in the file (0.11 is 11/100), else 1/9 each."""
        configured = self.unit_weights.get(unit_id)
        if configured is None:
            return dict.fromkeys(ELEMENTS, Fraction(1, 9))
        return {e: Fraction(str(w)) for e, w in configured.items()}


class TrainingRules(_Section):
    reward_min_score: float = Field(85, ge=0, le=100)
    reward_points: int = Field(10, gt=0)
    retrain_below: float = Field(70, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.retrain_below > self.reward_min_score:
            msg = "training.retrain_below must not exceed training.reward_min_score"
            raise ValueError(msg)
        return self


class JpRules(_Section):
    duty: int = Field(20, gt=0)
    reward_points: int = Field(20, gt=0)
    competency: str = "digital_service"
    # JP expected by the end of Q1..Q4 (the pace of the year); the last is the duty.
    pace: tuple[int, int, int, int] = (5, 10, 15, 20)

    @model_validator(mode="after")
    def _pace_reaches_the_duty(self) -> Self:
        steps = self.pace
        if any(jp < 0 for jp in steps) or list(steps) != sorted(steps) or steps[-1] != self.duty:
            msg = f"jp.pace must be 4 non-negative, non-decreasing JP ending at jp.duty ({self.duty})"
            raise ValueError(msg)
        return self

    def expected_by(self, quarter_number: int) -> int:
        return self.pace[quarter_number - 1]


class AppraisalRules(_Section):
    points: dict[events.Rating, int] = {"SANGAT_BAIK": 30, "BAIK": 10}
    retrain: tuple[events.Rating, ...] = ("BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
    competency: str = "change_management"
    # The one period kind whose rating pays and recommends: `year` (YYYY), `semester` or `quarter`.
    pays: PeriodKind = "year"


class AdaptationRules(_Section):
    """Citizens' verified answers naming the officer, before and after a passed training."""

    training_competency: str | None = None  # None: a pass in any competency counts
    elements: tuple[str, ...] = ("u3", "u6", "u7", "u8")  # the officer's elements
    min_answers: int = Field(10, gt=0)  # on each side
    a_band: float = Field(3.5324, ge=1, le=4)  # mean after at or above this pays
    min_rise: float = Field(0.25, gt=0, le=3)  # or a rise of at least this over the quarters before
    points: int = Field(25, gt=0)

    @field_validator("elements")
    @classmethod
    def _known_elements(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or len(set(value)) != len(value) or set(value) - set(ELEMENTS):
            msg = "adaptation.elements must be distinct elements among u1..u9"
            raise ValueError(msg)
        return value


class EffectivenessRules(_Section):
    """A programme's before/after on the adaptation's windows and elements (GET /effectiveness)."""

    min_answers: int = Field(10, ge=2)  # pooled answers on each side, else "not enough data"


class UnitRules(_Section):
    nrr_below: float = Field(3.0644, gt=1, le=4)  # the B band's lower NRR (IKM 76.61)
    min_responses: int = Field(30, gt=0)
    competency: dict[str, str]
    online_competency: dict[str, str] = {}

    @field_validator("competency")
    @classmethod
    def _every_element(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [e for e in ELEMENTS if e not in value]
        if missing or set(value) - set(ELEMENTS):
            msg = f"unit.competency must map exactly u1..u9 (missing {', '.join(missing) or 'none'})"
            raise ValueError(msg)
        return value

    def competency_for(self, element: str, channel: str) -> str:
        if channel == "online" and element in self.online_competency:
            return self.online_competency[element]
        return self.competency[element]


class Rules(_Section):
    # Not from the file: PROGRAMME_TIMEZONE (set by the composition root with `in_zone`).
    calendar: Calendar = Calendar()
    competencies: tuple[str, ...] = COMPETENCIES
    ikm: IkmRules = IkmRules()
    training: TrainingRules = TrainingRules()
    jp: JpRules = JpRules()
    appraisal: AppraisalRules = AppraisalRules()
    adaptation: AdaptationRules = AdaptationRules()
    effectiveness: EffectivenessRules = EffectivenessRules()
    unit: UnitRules

    @model_validator(mode="after")
    def _known_competencies(self) -> Self:
        named = {
            "jp.competency": self.jp.competency,
            "appraisal.competency": self.appraisal.competency,
        }
        if self.adaptation.training_competency is not None:
            named["adaptation.training_competency"] = self.adaptation.training_competency
        named |= {f"unit.competency.{e}": c for e, c in self.unit.competency.items()}
        named |= {f"unit.online_competency.{e}": c for e, c in self.unit.online_competency.items()}
        unknown = [f"{where} = {code!r}" for where, code in named.items() if code not in self.competencies]
        if unknown:
            msg = f"unknown competencies ({', '.join(unknown)}); add them to `competencies`"
            raise ValueError(msg)
        return self

    def in_zone(self, timezone: str) -> "Rules":
        return self.model_copy(update={"calendar": Calendar(timezone)})


class RulesFileError(ValueError):
    """The rules file cannot be used; the message names every problem."""


def parse(text: str) -> Rules:
    try:
        raw: dict[str, Any] = tomllib.loads(text)
        return Rules.model_validate(raw)
    except tomllib.TOMLDecodeError as error:
        raise RulesFileError(f"rules file is not TOML: {error}") from None
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'rules'}: {e['msg']}" for e in error.errors())
        raise RulesFileError(f"rules file refused: {problems}") from None


def load(path: Path | None = None) -> Rules:
    """The rules of `path` (default_rules.toml when None), checked at start-up."""
    return parse((path or DEFAULT_FILE).read_text())
