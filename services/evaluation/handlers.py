"""Evaluation use cases: record facts on the person's record and fire rules once per key."""

from typing import Any

from services.evaluation import model
from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.identifiers import derived_id
from shared.storage import Document, field_key

SOURCE = "urn:mutu:evaluation"


def _fire(
    decision: model.Decision, *, nip: str, unit_id: str | None, caused_by: tuple[str, ...]
) -> tuple[str, Document, envelope.CloudEvent[Any]]:
    """The firing record and the event it publishes; the id derives from the rule key."""
    firing_id = derived_id(decision.rule_id, *decision.key)
    data: events.Event
    if isinstance(decision, model.Reward):
        data = events.RewardTriggered(
            nip=nip,
            points=decision.points,
            rule_id=decision.rule_id,
            reason=decision.reason,
            caused_by=caused_by,
            unit_id=unit_id,
        )
    else:
        data = events.RetrainingRecommended(
            recommendation_id=firing_id,
            nip=nip,
            competency=decision.competency,
            rule_id=decision.rule_id,
            reason=decision.reason,
            evidence={"key": list(decision.key)},
            caused_by=caused_by,
        )
    record = {"id": firing_id, "type": type(data).__name__, **data.model_dump(mode="json")}
    return field_key(firing_id), record, envelope.wrap(data, source=SOURCE, event_id=firing_id)


async def evaluate_training(
    completed: envelope.CloudEvent[events.TrainingCompleted],
    *,
    people: Aggregates,
    rules: model.TrainingRules,
) -> bool:
    done = completed.data

    def decide(doc: Document) -> Change:
        year = str(done.completed_at.year)
        fields: Document = {
            f"trainings.{field_key(completed.id)}": done.model_dump(mode="json") | {"event_id": completed.id},
            "unit_id": done.unit_id,
        }
        published = []
        decision = model.judge_training(done, rules)
        if decision is not None:
            key, record, event = _fire(
                decision, nip=done.nip, unit_id=done.unit_id, caused_by=(completed.id,)
            )
            if key not in doc.get("firings", {}):
                fields[f"firings.{key}"] = record
                published.append(event)
        return Change(set=fields, inc={f"jp.{year}": done.jp}, publish=published)

    return await people.apply(done.nip, completed.id, decide)


async def record_appraisal(
    appraised: envelope.CloudEvent[events.PerformanceAppraised], *, people: Aggregates
) -> bool:
    rating = appraised.data

    def decide(_: Document) -> Change:
        entry = rating.model_dump(mode="json") | {"event_id": appraised.id}
        return Change(set={f"appraisals.{field_key(rating.period)}": entry, "unit_id": rating.unit_id})

    return await people.apply(rating.nip, appraised.id, decide)
