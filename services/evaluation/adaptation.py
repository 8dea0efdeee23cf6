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
from shared.contract.calendar import Calendar, next_quarter


@dataclass(frozen=True)
class Window:
    periods: tuple[str, ...]
    answers: int
    mean: float | None

    def shown(self) -> dict[str, Any]:
        mean = None if self.mean is None else round(self.mean, 4)
        return {"periods": list(self.periods), "answers": self.answers, "mean": mean}


def window(served: Mapping[str, Served], periods: Iterable[str], elements: tuple[str, ...]) -> Window:
    """Answers on `elements` in `periods`; tallies recorded before per-element sums existed are skipped."""
    chosen = tuple(sorted(p for p in periods if p in served and served[p].sums))
    count = sum(served[p].count for p in chosen)
    total = sum(served[p].sums.get(e, 0) for p in chosen for e in elements)
    return Window(chosen, count, total / (count * len(elements)) if count else None)


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
    if closed_through is None:
        return rewards
    for training in trainings:
        if not passes(training) or rules.training_competency not in {None, training.competency}:
            continue
        quarter = calendar.quarter_of(dt.datetime.fromisoformat(training.completed_at))
        after_quarter = next_quarter(quarter)
        if after_quarter > closed_through:
            continue  # judged on closed quarters only
        after = window(served, [after_quarter], rules.elements)
        before = window(served, [p for p in served if p < quarter], rules.elements)
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
