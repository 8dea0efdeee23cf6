"""What a programme changed (pure): verified answers naming its passers, before and after, pooled.

Windows and elements are the adaptation rule's (`adaptation.sides`, one definition): for each
person who passed the programme (their first pass of it), the answers naming them on the
officer's elements in the closed quarters before the quarter of the pass, against the closed
quarter after it. A person counts once that quarter has closed and they have at least one
answer on each side, so both sides describe the same people. The unit of observation is one
answer (its mean over the elements); the answers of those people are pooled per side, and the
difference after - before gets Welch's 95% interval (services/evaluation/welch.py). Fewer than
`effectiveness.min_answers` answers on a side: "not enough data" instead of numbers.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.evaluation import adaptation, ikm, outcomes
from services.evaluation.model import Firing, Person, Training, UnitQuarter
from services.evaluation.rules import Rules, UnitRules
from services.evaluation.welch import LEVEL, Sample, welch
from shared.contract.calendar import Calendar, next_quarter

NOT_ENOUGH = "not enough data"


@dataclass(frozen=True)
class Pass:
    """A person's first pass of a programme."""

    nip: str
    person: Person
    training: Training
    quarter: str


def first_passes(nip: str, person: Person, calendar: Calendar) -> dict[str, Pass]:
    """Each programme the person passed, with its first pass (the earliest `completed_at`)."""
    found: dict[str, Pass] = {}
    by_time = sorted(
        (t for t in person.trainings.values() if outcomes.passes(t)),
        key=lambda t: dt.datetime.fromisoformat(t.completed_at),
    )
    for training in by_time:
        if training.program_id not in found:
            quarter = calendar.quarter_of(dt.datetime.fromisoformat(training.completed_at))
            found[training.program_id] = Pass(nip, person, training, quarter)
    return found


def cohorts(
    people: Iterable[tuple[str, Person]], calendar: Calendar, quarters: Iterable[str] | None = None
) -> dict[str, list[Pass]]:
    """Per programme, the people whose first pass of it fell in `quarters` (None: any time)."""
    wanted = None if quarters is None else set(quarters)
    found: dict[str, list[Pass]] = {}
    for nip, person in people:
        for program_id, passed in first_passes(nip, person, calendar).items():
            if wanted is None or passed.quarter in wanted:
                found.setdefault(program_id, []).append(passed)
    return found


def _side(sample: Sample, enough: bool) -> dict[str, Any]:
    variance = sample.variance
    return {
        "answers": sample.n,
        "mean": round(sample.mean, 4) if enough and sample.mean is not None else None,
        "sd": round(variance**0.5, 4) if enough and variance is not None else None,
    }


def measure(
    program_id: str, passes: list[Pass], closed_through: str | None, rules: Rules, period: str | None = None
) -> dict[str, Any]:
    """The programme's before/after on its passers' verified answers, with Welch's interval."""
    elements = rules.adaptation.elements
    before, after = Sample(len(elements)), Sample(len(elements))
    waiting = answered_before = answered_after = counted = 0
    for passed in passes:
        found = adaptation.sides(
            passed.training, passed.person.served, closed_through, elements, rules.calendar
        )
        if found is None:
            waiting += 1
            continue
        answered_before += found.before.sample.n > 0
        answered_after += found.after.sample.n > 0
        if found.before.sample.n and found.after.sample.n:
            counted += 1
            before += found.before.sample
            after += found.after.sample
    minimum = rules.effectiveness.min_answers
    enough = before.n >= minimum and after.n >= minimum
    interval = welch(before, after) if enough else None
    reason = None
    if not enough:
        reason = (
            f"{NOT_ENOUGH}: {before.n} answers before and {after.n} after (at least {minimum} on each side)"
        )
    return {
        "program_id": program_id,
        "period": period,
        "elements": list(elements),
        "people": {
            "passed": len(passes),
            "waiting": waiting,
            "answered_before": answered_before,
            "answered_after": answered_after,
            "counted": counted,
        },
        "before": _side(before, enough),
        "after": _side(after, enough),
        "difference": None if interval is None else round(interval.difference, 4),
        "interval": None
        if interval is None
        else {
            "level": LEVEL,
            "low": round(interval.low, 4),
            "high": round(interval.high, 4),
            "se": round(interval.se, 4),
            "df": None if interval.df is None else round(interval.df, 2),
        },
        "reason": reason,
        "appraisals": appraisals(passes),
    }


def appraisals(passes: Iterable[Pass]) -> dict[str, dict[str, int]]:
    """Ratings in force of periods wholly before the quarter of the pass, and wholly after it."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for passed in passes:
        for appraisal in passed.person.appraisals.values():
            quarters = ikm.quarters_of(appraisal.period)
            if quarters[-1] < passed.quarter:
                before[appraisal.rating] += 1
            elif quarters[0] > passed.quarter:
                after[appraisal.rating] += 1
    return {"before": dict(sorted(before.items())), "after": dict(sorted(after.items()))}


def ranked(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Programmes by difference (largest first); those without enough data last, unranked."""
    measured = sorted(
        (r for r in rows if r["difference"] is not None), key=lambda r: (-r["difference"], r["program_id"])
    )
    others = sorted((r for r in rows if r["difference"] is None), key=lambda r: r["program_id"])
    return [{"rank": i + 1, **r} for i, r in enumerate(measured)] + [{"rank": None, **r} for r in others]


@dataclass(frozen=True)
class UnitCase:
    """A unit recommendation a member took a seat for in the programme, and the quarter to compare."""

    quarter: UnitQuarter
    firing: Firing
    after_quarter: str | None
    note: str | None


def unit_cases(
    program_id: str, passes: list[Pass], seated: Iterable[UnitQuarter], closed_through: str | None
) -> list[UnitCase]:
    """The unit recommendations the programme served: after = the quarter after the last member's pass.

    Members are the people on the unit's record who passed the programme after the
    recommendation opened; the comparison waits for the quarter after the last such pass to close.
    """
    cases = []
    for quarter in seated:
        for firing in quarter.firings.values():
            if not firing.is_recommendation or not firing.seated_in(program_id):
                continue
            opened = dt.datetime.fromisoformat(firing.at)
            members = [
                p
                for p in passes
                if p.person.unit_id == quarter.unit_id
                and dt.datetime.fromisoformat(p.training.completed_at) > opened
            ]
            if not members:
                cases.append(UnitCase(quarter, firing, None, "no member has passed it since it opened"))
                continue
            after = next_quarter(max(p.quarter for p in members))
            waiting = closed_through is None or after > closed_through
            cases.append(UnitCase(quarter, firing, after, f"{after} has not closed" if waiting else None))
    return sorted(cases, key=lambda c: (c.quarter.unit_id or "", c.quarter.period or "", c.firing.id))


def unit_row(case: UnitCase, by_channel: Mapping[str, ikm.Tally], rules: UnitRules) -> dict[str, Any]:
    """The element's NRR that opened the recommendation against the quarter after the programme."""
    evidence = case.firing.evidence or {}
    element = str(evidence.get("element"))
    channel = str(evidence.get("channel", outcomes.ALL_CHANNELS))
    before = {
        "period": case.quarter.period,
        "window": evidence.get("window", [case.quarter.period]),
        "nrr": evidence.get("nrr"),
        "respondents": evidence.get("respondents"),
    }
    after: dict[str, Any] = {
        "period": case.after_quarter,
        "nrr": None,
        "respondents": None,
        "reason": case.note,
    }
    if case.note is None and element in ikm.ELEMENTS:
        tally = outcomes.scope_tally(dict(by_channel), channel)
        after["respondents"] = tally.count
        if tally.count >= rules.min_responses:
            after["nrr"] = round(tally.sums[element] / tally.count, 4)
        else:
            after["reason"] = f"{NOT_ENOUGH}: {tally.count} answers (at least {rules.min_responses})"
    change = None
    if isinstance(before["nrr"], int | float) and after["nrr"] is not None:
        change = round(after["nrr"] - before["nrr"], 4)
    return {
        "unit_id": case.quarter.unit_id,
        "recommendation_id": case.firing.id,
        "competency": case.firing.competency,
        "status": case.firing.status,
        "element": element,
        "channel": channel,
        "before": before,
        "after": after,
        "change": change,
    }
