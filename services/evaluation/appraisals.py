"""Evaluation's decisions on a person's appraisals (pure): the paying kind, corrections, withdrawals."""

from collections.abc import Mapping

from services.evaluation import judgements
from services.evaluation.decisions import with_firings
from services.evaluation.firings import Firings
from services.evaluation.model import ACTIVE, Appraisal, Firing, Person, Reward
from services.evaluation.rules import Rules
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id, field_key
from shared.persistence.state_store import Outcome


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
    state = with_firings(
        person, firings, unit_id=rating.unit_id, appraisals={**person.appraisals, slot: entry}
    )
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
