"""Turning decisions into stored firings and the events they publish (ids derived from rule keys)."""

import datetime as dt
from typing import Any

from services.evaluation import model
from shared import envelope, events
from shared.aggregates import Change
from shared.identifiers import derived_id, field_key
from shared.storage import Document

SOURCE = "urn:mutu:evaluation"


def firing_id(decision: model.Decision) -> str:
    return derived_id(decision.rule_id, *decision.key)


def event_for(
    decision: model.Decision, *, nip: str | None, unit_id: str | None, caused_by: tuple[str, ...]
) -> envelope.CloudEvent[Any]:
    fid = firing_id(decision)
    data: events.Event
    if isinstance(decision, model.Reward):
        assert nip is not None  # noqa: S101 - rewards are personal
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
            recommendation_id=fid,
            nip=nip,
            unit_id=None if nip else unit_id,
            competency=decision.competency,
            rule_id=decision.rule_id,
            reason=decision.reason,
            evidence=decision.evidence,
            caused_by=caused_by,
        )
    return envelope.wrap(data, source=SOURCE, event_id=fid)


class Firings:
    """Collects the firings of one decision pass on one document; each key fires at most once."""

    def __init__(self, doc: Document, *, nip: str | None, unit_id: str | None) -> None:
        self._fired: set[str] = set(doc.get("firings", {}))
        self.nip = nip
        self.unit_id = unit_id
        self.fields: Document = {}
        self.published: list[envelope.CloudEvent[Any]] = []
        self.opened = 0

    def fire(self, decision: model.Decision | None, caused_by: tuple[str, ...]) -> None:
        if decision is None:
            return
        key = field_key(firing_id(decision))
        if key in self._fired:
            return
        self._fired.add(key)
        event = event_for(decision, nip=self.nip, unit_id=self.unit_id, caused_by=caused_by)
        record: dict[str, Any] = {
            "id": event.id,
            "type": event.type,
            "rule_id": decision.rule_id,
            "reason": decision.reason,
            "caused_by": list(caused_by),
            "at": dt.datetime.now(dt.UTC).isoformat(),
        }
        if isinstance(decision, model.Reward):
            record["points"] = decision.points
        else:
            record |= {"competency": decision.competency, "evidence": decision.evidence, "status": "open"}
            self.opened += 1
        self.fields[f"firings.{key}"] = record
        self.published.append(event)

    def change(self, fields: Document | None = None, inc: Document | None = None) -> Change:
        increments = dict(inc or {})
        if self.opened:
            increments["open_recs"] = increments.get("open_recs", 0) + self.opened
        return Change(set={**(fields or {}), **self.fields}, inc=increments, publish=self.published)
