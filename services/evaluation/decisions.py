"""Evaluation's decisions on a person's record (pure): trainings, appraisals, answers, quarter ends."""

import datetime as dt
from collections.abc import Mapping

from services.evaluation import judgements
from services.evaluation.firings import Firings, open_count
from services.evaluation.model import ACTIVE, Appraisal, Firing, Person, Reward, Served, Training
from services.evaluation.rules import Rules
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id, field_key
from shared.persistence.state_store import Outcome


def _adaptation(firings: Firings, rules: Rules, served: Mapping[str, Served], since: str | None) -> None:
    for period, tally in served.items():
        decision = judgements.judge_adaptation(firings.nip or "", period, tally, since, rules.adaptation)
        firings.fire(decision, tally.events[-5:])


def _closed_by(fired: Mapping[str, Firing], competency: str) -> list[str]:
    """A passed training in a competency closes the person's open recommendations in it."""
    return [k for k, f in fired.items() if f.competency == competency and f.status in ACTIVE]


def _quarter(training: Training, rules: Rules) -> str:
    return rules.calendar.quarter_of(dt.datetime.fromisoformat(training.completed_at))


def _with(person: Person, firings: Firings, **changes: object) -> Person:
    return person.model_copy(update={"firings": firings.all, "open_recs": open_count(firings.all), **changes})


def on_training(
    person: Person, completed: envelope.CloudEvent[events.TrainingCompleted], rules: Rules
) -> Outcome[Person]:
    done = completed.data
    year = str(rules.calendar.year_of(done.completed_at))
    quarter = rules.calendar.quarter_of(done.completed_at)
    firings = Firings(person.firings, nip=done.nip, unit_id=done.unit_id)
    if done.passed and done.score >= rules.training.retrain_below:  # a real pass closes it
        for key in _closed_by(person.firings, done.competency):
            firings.update(key, status="done")
    firings.fire(judgements.judge_training(done, rules.training), (completed.id,))
    counted = done.jp if done.passed else 0  # the duty counts passed trainings only
    total = person.jp.get(year, 0) + counted
    if counted:
        firings.fire(judgements.judge_jp_reached(done.nip, year, total, rules.jp), (completed.id,))
    since = person.digital_since
    digital = done.passed and done.competency == rules.adaptation.training_competency
    if digital and (not since or quarter < since):
        since = quarter
    _adaptation(firings, rules, person.served, since)
    training = Training.model_validate(done.model_dump(mode="json") | {"event_id": completed.id})
    state = _with(
        person,
        firings,
        unit_id=done.unit_id,
        trainings={**person.trainings, field_key(completed.id): training},
        jp={**person.jp, year: total},
        jp_quarters={**person.jp_quarters, quarter: person.jp_quarters.get(quarter, 0) + counted},
        digital_since=since,
    )
    return Outcome(state, firings.published)


def on_appraisal(
    person: Person, appraised: envelope.CloudEvent[events.PerformanceAppraised], rules: Rules
) -> Outcome[Person] | None:
    """Keep the rating per period, publish it for other subscribers, apply the appraisal rules.

    Only the configured period kind pays (default the annual rating); a later rating of the same
    period is a correction: it supersedes the earlier one, pays the difference, and withdraws a
    recommendation it no longer warrants. The same rating again changes nothing.
    """
    rating = appraised.data
    slot = field_key(rating.period)
    before = _effects_of(person.appraisals.get(slot), person.firings, rating.nip)
    if before is not None and before.rating == rating.rating:
        return None
    firings = Firings(person.firings, nip=rating.nip, unit_id=rating.unit_id)
    entry = Appraisal(
        event_id=appraised.id,
        period=rating.period,
        rating=rating.rating,
        paid=0,
        note=judgements.unpaid_because(rating.period, rules.appraisal),
        supersedes=() if before is None else (*before.supersedes, (before.event_id, before.rating)),
    )
    if entry.note is None:
        entry = _judged(entry, before, firings, appraised, rules)
    state = _with(person, firings, unit_id=rating.unit_id, appraisals={**person.appraisals, slot: entry})
    return Outcome(state, [appraised, *firings.published])


def _effects_of(before: Appraisal | None, fired: Mapping[str, Firing], nip: str) -> Appraisal | None:
    """An appraisal stored before corrections existed lacks `paid`: read its effects from its firings."""
    if before is None or "paid" in before.model_fields_set:
        return before
    key = (nip, before.period)
    reward = fired.get(field_key(derived_id("appraisal_reward", *key)))
    recommendation = field_key(derived_id("appraisal_retraining", *key))
    return before.model_copy(
        update={
            "paid": reward.points or 0 if reward else 0,
            "recommendation": recommendation if recommendation in fired else None,
        }
    )


def _judged(
    entry: Appraisal,
    before: Appraisal | None,
    firings: Firings,
    appraised: envelope.CloudEvent[events.PerformanceAppraised],
    rules: Rules,
) -> Appraisal:
    """Fire the appraisal rules for a paying rating (first, or a correction of `before`)."""
    rating, cause = appraised.data, (appraised.id,)
    if before is None:
        decision = judgements.judge_appraisal(rating, rules.appraisal)
        firings.fire(decision, cause)
        if isinstance(decision, Reward):
            return entry.model_copy(update={"paid": decision.points})
        if decision is None:
            return entry
        return entry.model_copy(update={"recommendation": firings.key_of(decision)})
    correction = judgements.judge_correction(rating, before, appraised.id, rules.appraisal)
    firings.fire(correction, cause)
    paid = before.paid + (correction.points if correction else 0)
    recommendation = judgements.judge_appraisal(rating, rules.appraisal, correcting=(appraised.id,))
    kept = before.recommendation
    if kept is not None and recommendation is None:
        evidence = {"period": rating.period, "rating": rating.rating, "was": before.rating}
        firings.withdraw(kept, evidence | {"appraisal": appraised.id})
        kept = None
    elif recommendation is not None and (kept is None or firings.all[kept].status not in ACTIVE):
        firings.fire(recommendation, cause)
        kept = firings.key_of(recommendation)
    return entry.model_copy(update={"paid": paid, "recommendation": kept})


def on_answer(
    person: Person, submitted: envelope.CloudEvent[events.SurveySubmitted], rules: Rules
) -> Outcome[Person]:
    """A response naming a civil servant counts toward their adaptation rule in that period."""
    response = submitted.data
    nip, period = response.served_by_nip or "", response.period
    firings = Firings(person.firings, nip=nip, unit_id=person.unit_id or response.unit_id)
    before = person.served.get(period, Served())
    tally = Served(
        sum=before.sum + sum(response.answers.model_dump().values()),
        count=before.count + 1,
        events=(*before.events[-4:], submitted.id),
    )
    _adaptation(firings, rules, {period: tally}, person.digital_since)
    state = _with(
        person,
        firings,
        served={**person.served, period: tally},
        unit_id=person.unit_id or response.unit_id,
    )
    return Outcome(state, firings.published)


def on_scheduled(
    person: Person, scheduled: envelope.CloudEvent[events.RetrainingScheduled]
) -> Outcome[Person] | None:
    key = field_key(scheduled.data.recommendation_id)
    firing = person.firings.get(key)
    if firing is None or firing.status != "open":
        return None
    changed = firing.model_copy(update={"status": "scheduled", "program_id": scheduled.data.program_id})
    return Outcome(person.model_copy(update={"firings": {**person.firings, key: changed}}))


def at_quarter_end(person: Person, nip: str, period: str, rules: Rules) -> Outcome[Person] | None:
    """Quarter-end rules for one person: JP below the duty by the end of it, adaptation in it."""
    firings = Firings(person.firings, nip=nip, unit_id=person.unit_id)
    total = judgements.jp_by_end_of(period, person.jp_quarters)
    trainings = [
        t.event_id
        for t in person.trainings.values()
        if t.passed and judgements.year_to_date(period, _quarter(t, rules))
    ]
    firings.fire(judgements.judge_jp_shortfall(nip, period, total, rules.jp), tuple(trainings[-20:]))
    if period in person.served:
        _adaptation(firings, rules, {period: person.served[period]}, person.digital_since)
    if not firings.published:
        return None
    return Outcome(_with(person, firings), firings.published)
