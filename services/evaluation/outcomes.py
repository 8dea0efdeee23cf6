"""Where a recommendation stands (pure): scheduled, back to open, done on evidence, or expired.

A person's recommendation is done when they pass a training of its competency completed after it
opened (the pass rule is `passes`, used everywhere in evaluation). A unit's is done when its
element is back at the B band or better in a later closed quarter with enough answers (the
outcome, not the attendance), and expires when enough later closed quarters with data show no
recovery; a quarter with too few answers is no evidence either way.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from services.evaluation import ikm
from services.evaluation.firings import Firings
from services.evaluation.model import ACTIVE, Firing, Status, Training
from services.evaluation.rules import UnitRules
from shared.contract import events
from shared.contract.identifiers import field_key

ALL_CHANNELS = "all"


def passes(done: Training | events.TrainingCompleted) -> bool:
    """The pass rule used everywhere (closing, the JP duty, adaptation): the training was passed."""
    return done.passed


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _after(moment: str, opened: str) -> bool:
    return _moment(moment) > _moment(opened)


def _answer(firing: Firing, passed: list[Training]) -> Training | None:
    """The passed training that answers the recommendation, if any.

    A JP shortfall is answered when the JP passed since it opened cover its gap; any other
    recommendation by a pass in its competency completed after it opened.
    """
    after = [t for t in passed if _after(t.completed_at, firing.at)]
    if firing.rule_id == "jp_below_duty":
        gap, total = int((firing.evidence or {}).get("gap", 0)), 0
        for training in after:
            total += training.jp
            if total >= gap:
                return training
        return None
    return next((t for t in after if t.competency == firing.competency), None)


def settle_person(firings: Firings, trainings: Iterable[Training]) -> None:
    """Close each open recommendation answered by a passed training after it opened."""
    passed = sorted((t for t in trainings if passes(t)), key=lambda t: _moment(t.completed_at))
    for key, firing in list(firings.all.items()):
        if not firing.is_recommendation or firing.status not in ACTIVE:
            continue
        answer = _answer(firing, passed)
        if answer is not None:
            evidence = {
                "program_id": answer.program_id,
                "training": answer.event_id,
                "completed_at": answer.completed_at,
                "score": answer.score,
                "passed": answer.passed,
            }
            firings.resolve(key, "done", evidence)


def seat(firings: Firings, key: str, nip: str, program_id: str, *, taken: bool) -> bool:
    """A seat scheduled (or given up) for the recommendation: scheduled while any seat is held."""
    firing = firings.all.get(key)
    if firing is None or firing.status not in ACTIVE:
        return False
    holder = field_key(nip)
    if taken == (holder in firing.seats):
        return False
    seats = (
        {**firing.seats, holder: program_id}
        if taken
        else {k: v for k, v in firing.seats.items() if k != holder}
    )
    status: Status = "scheduled" if seats else "open"
    evidence: dict[str, Any] = {
        "nip": nip,
        "program_id": program_id,
        "seat": "taken" if taken else "given up",
    }
    if status == firing.status:
        firings.update(key, seats=seats)
    else:
        firings.step(key, status, evidence, seats=seats, program_id=program_id if taken else None)
    return True


def scope_tally(by_channel: dict[str, ikm.Tally], channel: str) -> ikm.Tally:
    if channel == ALL_CHANNELS:
        return sum(by_channel.values(), ikm.EMPTY)
    return by_channel.get(channel, ikm.EMPTY)


def judge_unit_outcome(
    firing: Firing,
    later: Sequence[tuple[str, dict[str, ikm.Tally]]],
    rules: UnitRules,
    expiry_quarters: int,
) -> tuple[str, dict[str, Any]] | None:
    """`done` or `expired` with the evidence, from the later closed quarters' tallies (oldest first)."""
    evidence = firing.evidence or {}
    element, channel = str(evidence.get("element")), str(evidence.get("channel", ALL_CHANNELS))
    if element not in ikm.ELEMENTS:
        return None
    seen: list[dict[str, Any]] = []
    for quarter, by_channel in later:
        tally = scope_tally(by_channel, channel)
        if tally.count < rules.min_responses:
            continue  # no data is not evidence
        nrr = tally.sums[element] / tally.count
        row = {"period": quarter, "nrr": round(nrr, 4), "respondents": tally.count}
        if nrr >= rules.nrr_below:
            return "done", {
                "element": element,
                "channel": channel,
                "recovered": row,
                "quarters": [*seen, row],
            }
        seen.append(row)
        if len(seen) >= expiry_quarters:
            return "expired", {"element": element, "channel": channel, "quarters": seen}
    return None
