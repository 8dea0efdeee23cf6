"""Evaluation use cases on a person's record: trainings, appraisals, answers naming them, runs."""

import datetime as dt
from typing import Any

from services.evaluation import model
from services.evaluation.firings import Firings
from services.evaluation.rules import Rules
from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.identifiers import field_key
from shared.storage import Document


def _adaptation(firings: Firings, rules: Rules, served: dict[str, Any], since: str | None) -> None:
    for period, tally in served.items():
        decision = model.judge_adaptation(firings.nip or "", period, tally, since, rules.adaptation)
        firings.fire(decision, tuple(tally.get("events", [])[-5:]))


def _done_recommendations(doc: Document, competency: str) -> Document:
    """A passed training in a competency closes the person's open recommendations in it."""
    return {
        f"firings.{key}.status": "done"
        for key, firing in doc.get("firings", {}).items()
        if firing.get("competency") == competency and firing.get("status") in {"open", "scheduled"}
    }


def _quarter_of(moment: str) -> str:
    completed = dt.datetime.fromisoformat(moment)
    return model.quarter_of(completed.year, completed.month)


async def evaluate_training(
    completed: envelope.CloudEvent[events.TrainingCompleted], *, people: Aggregates, rules: Rules
) -> bool:
    done = completed.data
    year = str(done.completed_at.year)
    quarter = model.quarter_of(done.completed_at.year, done.completed_at.month)

    def decide(doc: Document) -> Change:
        firings = Firings(doc, nip=done.nip, unit_id=done.unit_id)
        fields: Document = {
            f"trainings.{field_key(completed.id)}": done.model_dump(mode="json") | {"event_id": completed.id},
            "unit_id": done.unit_id,
        }
        closed: Document = {}
        if done.passed and done.score >= rules.training.retrain_below:  # a real pass closes it
            closed = _done_recommendations(doc, done.competency)
            fields |= closed
        firings.fire(model.judge_training(done, rules.training), (completed.id,))
        total = int(doc.get("jp", {}).get(year, 0)) + done.jp
        firings.fire(model.judge_jp_reached(done.nip, year, total, rules.jp), (completed.id,))
        since = doc.get("digital_since")
        if (
            done.passed
            and done.competency == rules.adaptation.training_competency
            and (not since or quarter < since)
        ):
            since = fields["digital_since"] = quarter
        _adaptation(firings, rules, doc.get("served", {}), since)
        increments = {f"jp.{year}": done.jp, f"jp_quarters.{quarter}": done.jp, "open_recs": -len(closed)}
        return firings.change(fields, increments)

    return await people.apply(done.nip, completed.id, decide)


async def record_appraisal(
    appraised: envelope.CloudEvent[events.PerformanceAppraised], *, people: Aggregates, rules: Rules
) -> bool:
    """Store the rating per period, publish it for other subscribers, apply the appraisal rules."""
    rating = appraised.data

    def decide(doc: Document) -> Change:
        firings = Firings(doc, nip=rating.nip, unit_id=rating.unit_id)
        firings.fire(model.judge_appraisal(rating, rules.appraisal), (appraised.id,))
        entry = rating.model_dump(mode="json") | {"event_id": appraised.id}
        change = firings.change({f"appraisals.{field_key(rating.period)}": entry, "unit_id": rating.unit_id})
        return Change(set=change.set, inc=change.inc, publish=[appraised, *change.publish])

    return await people.apply(rating.nip, appraised.id, decide)


async def record_answer(
    submitted: envelope.CloudEvent[events.SurveySubmitted], *, people: Aggregates, rules: Rules
) -> bool:
    """A response naming a civil servant counts toward their adaptation rule in that period."""
    response = submitted.data
    if response.served_by_nip is None:
        return False
    nip, period = response.served_by_nip, response.period
    total = sum(response.answers.model_dump().values())

    def decide(doc: Document) -> Change:
        firings = Firings(doc, nip=nip, unit_id=doc.get("unit_id") or response.unit_id)
        before = doc.get("served", {}).get(period, {})
        tally = {
            "sum": before.get("sum", 0) + total,
            "count": before.get("count", 0) + 1,
            "events": [*before.get("events", [])[-4:], submitted.id],
        }
        _adaptation(firings, rules, {period: tally}, doc.get("digital_since"))
        fields: Document = {f"served.{period}": tally}
        if "unit_id" not in doc:
            fields["unit_id"] = response.unit_id
        return firings.change(fields)

    return await people.apply(nip, submitted.id, decide)


async def mark_scheduled(
    scheduled: envelope.CloudEvent[events.RetrainingScheduled], *, people: Aggregates
) -> bool:
    key = field_key(scheduled.data.recommendation_id)

    def decide(doc: Document) -> Change | None:
        firing = doc.get("firings", {}).get(key)
        if firing is None or firing.get("status") != "open":
            return None
        return Change(
            set={f"firings.{key}.status": "scheduled", f"firings.{key}.program_id": scheduled.data.program_id}
        )

    return await people.apply(scheduled.data.nip, scheduled.id, decide)


async def close_quarter(nip: str, period: str, *, people: Aggregates, rules: Rules) -> None:
    """Quarter-end rules for one person: JP below the duty by the end of it, adaptation in it."""

    def decide(doc: Document) -> Change | None:
        firings = Firings(doc, nip=nip, unit_id=doc.get("unit_id"))
        total = model.jp_by_end_of(period, doc.get("jp_quarters", {}))
        trainings = [
            t["event_id"]
            for t in doc.get("trainings", {}).values()
            if model.year_to_date(period, _quarter_of(t["completed_at"]))
        ]
        firings.fire(model.judge_jp_shortfall(nip, period, total, rules.jp), tuple(trainings[-20:]))
        served = doc.get("served", {})
        if period in served:
            _adaptation(firings, rules, {period: served[period]}, doc.get("digital_since"))
        return firings.change() if firings.published else None

    await people.apply(nip, None, decide)
