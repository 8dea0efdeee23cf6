"""Evaluation's decisions on a person's record (pure): trainings, answers, seats, closed quarters."""

import datetime as dt
from collections.abc import Iterable

from services.evaluation import adaptation, judgements, outcomes
from services.evaluation.firings import Firings, open_count
from services.evaluation.model import Person, Served, Spread, Training
from services.evaluation.rules import Rules
from shared.contract import envelope, events
from shared.contract.identifiers import field_key
from shared.persistence.state_store import Outcome


def _adaptation(firings: Firings, person: Person, rules: Rules, closed_through: str | None) -> None:
    """The adaptation rule on the closed quarters (each programme pays once)."""
    trainings = person.trainings.values()
    for reward in adaptation.judge_adaptation(
        firings.nip or "", trainings, person.served, closed_through, rules.adaptation, rules.calendar
    ):
        after = reward.evidence["after"]["periods"]
        firings.fire(reward, tuple(e for p in after for e in person.served[p].events[-5:]))


def _quarter(training: Training, rules: Rules) -> str:
    return rules.calendar.quarter_of(dt.datetime.fromisoformat(training.completed_at))


def with_firings(person: Person, firings: Firings, **changes: object) -> Person:
    return person.model_copy(update={"firings": firings.all, "open_recs": open_count(firings.all), **changes})


def on_training(
    person: Person,
    completed: envelope.CloudEvent[events.TrainingCompleted],
    rules: Rules,
    *,
    closed_through: str | None = None,
    now: dt.datetime | None = None,
) -> Outcome[Person]:
    """Training rules now; a pass closes the recommendations it answers; closed quarters re-judged.

    `closed_through` is the latest closed quarter: a completion in it or earlier is late data,
    so that quarter's period rules (JP pace, adaptation) are judged again (same keys).
    """
    done = completed.data
    year = str(rules.calendar.year_of(done.completed_at))
    quarter = rules.calendar.quarter_of(done.completed_at)
    firings = Firings(person.firings, nip=done.nip, unit_id=done.unit_id, now=now)
    firings.fire(judgements.judge_training(done, rules.training), (completed.id,))
    counted = done.jp if outcomes.passes(done) else 0  # the duty counts passed trainings only
    total = person.jp.get(year, 0) + counted
    if counted:
        firings.fire(judgements.judge_jp_reached(done.nip, year, total, rules.jp), (completed.id,))
    training = Training.model_validate(done.model_dump(mode="json") | {"event_id": completed.id})
    trainings = {**person.trainings, field_key(completed.id): training}
    state = person.model_copy(
        update={
            "unit_id": done.unit_id,
            "trainings": trainings,
            **passes_index(trainings.values(), rules),
            "jp": {**person.jp, year: total},
            "jp_quarters": {**person.jp_quarters, quarter: person.jp_quarters.get(quarter, 0) + counted},
        }
    )
    if closed_through is not None and quarter <= closed_through:
        _jp_pace(firings, state, done.nip, quarter, rules)
    _adaptation(firings, state, rules, closed_through)
    outcomes.settle_person(firings, state.trainings.values())
    return Outcome(with_firings(state, firings), firings.published)


def on_answer(
    person: Person,
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    rules: Rules,
    *,
    closed_through: str | None = None,
    now: dt.datetime | None = None,
) -> Outcome[Person]:
    """A verified answer naming the person is kept per quarter; a closed quarter's is judged again."""
    response = submitted.data
    nip, period = response.served_by_nip or "", response.period
    firings = Firings(person.firings, nip=nip, unit_id=person.unit_id or response.unit_id, now=now)
    before = person.served.get(period, Served())
    values = response.answers.model_dump()
    elements = rules.adaptation.elements
    spread = before.officer if before.officer and before.officer.elements == elements else None
    tally = Served(
        sum=before.sum + sum(values.values()),
        sums={e: before.sums.get(e, 0) + v for e, v in values.items()},
        count=before.count + 1,
        events=(*before.events[-4:], submitted.id),
        officer=(spread or Spread(elements=elements)).plus(sum(values[e] for e in elements)),
    )
    state = person.model_copy(
        update={"served": {**person.served, period: tally}, "unit_id": person.unit_id or response.unit_id}
    )
    if closed_through is not None and period <= closed_through:
        _adaptation(firings, state, rules, closed_through)
    return Outcome(with_firings(state, firings), firings.published)


def passes_index(trainings: Iterable[Training], rules: Rules) -> dict[str, tuple[str, ...]]:
    """The programmes a person passed and the quarters of their passes (indexed for effectiveness)."""
    passed = [t for t in trainings if outcomes.passes(t)]
    return {
        "programs": tuple(sorted({t.program_id for t in passed})),
        "pass_quarters": tuple(sorted({_quarter(t, rules) for t in passed})),
    }


def reindexed(person: Person, rules: Rules) -> Outcome[Person] | None:
    """A record written before the pass index existed, with its index (None when already right)."""
    index = passes_index(person.trainings.values(), rules)
    if (person.programs, person.pass_quarters) == (index["programs"], index["pass_quarters"]):
        return None
    return Outcome(person.model_copy(update=index))


def on_seat(
    person: Person, recommendation_id: str, nip: str, program_id: str, *, taken: bool, now: dt.datetime
) -> Outcome[Person] | None:
    """RetrainingScheduled (taken) or RetrainingWithdrawn (given up) for one of the person's."""
    firings = Firings(person.firings, nip=nip, unit_id=person.unit_id, now=now)
    if not outcomes.seat(firings, field_key(recommendation_id), nip, program_id, taken=taken):
        return None
    return Outcome(with_firings(person, firings))


def _jp_pace(firings: Firings, person: Person, nip: str, period: str, rules: Rules) -> None:
    total = judgements.jp_by_end_of(period, person.jp_quarters)
    trainings = [
        t.event_id
        for t in person.trainings.values()
        if outcomes.passes(t) and judgements.year_to_date(period, _quarter(t, rules))
    ]
    opened = rules.calendar.quarter_end(period).isoformat()
    decision = judgements.judge_jp_shortfall(nip, period, total, rules.jp, opened)
    firings.fire(decision, tuple(trainings[-20:]))


def at_quarter_end(
    person: Person, nip: str, period: str, rules: Rules, *, now: dt.datetime | None = None
) -> Outcome[Person] | None:
    """A closed quarter's rules for one person: JP below the pace by its end, adaptation through it."""
    firings = Firings(person.firings, nip=nip, unit_id=person.unit_id, now=now)
    _jp_pace(firings, person, nip, period, rules)
    _adaptation(firings, person, rules, period)
    outcomes.settle_person(firings, person.trainings.values())
    if not firings.published:
        return None
    return Outcome(with_firings(person, firings), firings.published)
