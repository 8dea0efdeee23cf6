"""The adaptation rule (pure): citizens rate the officer better after a passed training.

Measured on the officer, not the unit: only verified answers naming the person (a ticket, or a
keyed integrator's SurveySubmitted), only the officer's elements (default u3 time, u6 competence,
u7 conduct, u8 complaint handling), the closed quarter after the training's quarter against the
closed quarters before it. Pays once per (person, programme).
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.evaluation.model import Reward, Served, Training
from services.evaluation.outcomes import passes
from services.evaluation.rules import AdaptationRules
from services.evaluation.welch import Sample
from shared.contract.calendar import Calendar, next_quarter


@dataclass(frozen=True)
class Window:
    periods: tuple[str, ...]
    answers: int
    mean: float | None
    sample: Sample  # the answers with a recorded spread on the same elements (for an interval)

    def shown(self) -> dict[str, Any]:
        mean = None if self.mean is None else round(self.mean, 4)
        return {"periods": list(self.periods), "answers": self.answers, "mean": mean}


def window(served: Mapping[str, Served], periods: Iterable[str], elements: tuple[str, ...]) -> Window:
    """Answers on `elements` in `periods`; tallies recorded before per-element sums existed are skipped.

    The sample counts only answers whose spread was recorded on these elements (older ones are
    no data for the interval).
    """
    chosen = tuple(sorted(p for p in periods if p in served and served[p].sums))
    count = sum(served[p].count for p in chosen)
    total = sum(served[p].sums.get(e, 0) for p in chosen for e in elements)
    sample = Sample(len(elements))
    for period in chosen:
        spread = served[period].officer
        if spread is not None and spread.elements == elements:
            sample += Sample(len(elements), spread.count, spread.total, spread.squares)
    return Window(chosen, count, total / (count * len(elements)) if count else None, sample)


@dataclass(frozen=True)
class Sides:
    """The windows of one passed training: the closed quarters before its quarter, the one after."""

    quarter: str
    after_quarter: str
    before: Window
    after: Window


def sides(
    training: Training,
    served: Mapping[str, Served],
    closed_through: str | None,
    elements: tuple[str, ...],
    calendar: Calendar,
) -> Sides | None:
    """Before and after a training (adaptation and effectiveness alike); None until the after closes."""
    quarter = calendar.quarter_of(dt.datetime.fromisoformat(training.completed_at))
    after_quarter = next_quarter(quarter)
    if closed_through is None or after_quarter > closed_through:
        return None  # judged on closed quarters only
    after = window(served, [after_quarter], elements)
    before = window(served, [p for p in served if p < quarter], elements)
    return Sides(quarter, after_quarter, before, after)


def judge_adaptation(  # noqa: PLR0917 - the facts of one person, all needed
    nip: str,
    trainings: Iterable[Training],
    served: Mapping[str, Served],
    closed_through: str | None,
    rules: AdaptationRules,
    calendar: Calendar,
) -> list[Reward]:
    """One reward per passed programme whose after-quarter has closed and shows the change."""
    rewards: list[Reward] = []
    for training in trainings:
        if not passes(training) or rules.training_competency not in {None, training.competency}:
            continue
        found = sides(training, served, closed_through, rules.elements, calendar)
        if found is None:
            continue
        quarter, after_quarter, before, after = found.quarter, found.after_quarter, found.before, found.after
        if after.answers < rules.min_answers or before.answers < rules.min_answers:
            continue
        if after.mean is None or before.mean is None:
            continue
        rise = after.mean - before.mean
        if after.mean < rules.a_band and rise < rules.min_rise:
            continue
        evidence = {
            "program_id": training.program_id,
            "elements": list(rules.elements),
            "before": before.shown(),
            "after": after.shown(),
            "rise": round(rise, 4),
        }
        reason = (
            f"after {training.program_id}: {after.mean:.2f} over {after.answers} answers in {after_quarter}"
            f" against {before.mean:.2f} over {before.answers} before {quarter}"
        )
        rewards.append(
            Reward("adaptation", rules.points, reason, (nip, training.program_id), evidence=evidence)
        )
    return rewards
