"""Turning decisions into firings on an aggregate and the events they publish (ids from rule keys)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from services.evaluation.model import ACTIVE, Decision, Firing, Reward
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id, field_key

SOURCE = "urn:mutu:evaluation"


def firing_id(decision: Decision) -> str:
    return derived_id(decision.rule_id, *decision.key)


def event_for(
    decision: Decision, *, nip: str | None, unit_id: str | None, caused_by: tuple[str, ...]
) -> envelope.CloudEvent[Any]:
    fid = firing_id(decision)
    data: events.Event
    if isinstance(decision, Reward):
        if nip is None:
            msg = "rewards are personal"
            raise ValueError(msg)
        data = events.RewardTriggered(
            nip=nip,
            points=decision.points,
            rule_id=decision.rule_id,
            reason=decision.reason,
            caused_by=caused_by,
            unit_id=unit_id,
            corrects=decision.corrects,
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
    """The firings of one decision pass on one aggregate; each key fires at most once."""

    def __init__(self, fired: Mapping[str, Firing], *, nip: str | None, unit_id: str | None) -> None:
        self.all: dict[str, Firing] = dict(fired)
        self.nip = nip
        self.unit_id = unit_id
        self.published: list[envelope.CloudEvent[Any]] = []

    def fire(self, decision: Decision | None, caused_by: tuple[str, ...]) -> None:
        if decision is None:
            return
        key = field_key(firing_id(decision))
        if key in self.all:
            return
        event = event_for(decision, nip=self.nip, unit_id=self.unit_id, caused_by=caused_by)
        common: dict[str, Any] = {
            "id": event.id,
            "rule_id": decision.rule_id,
            "reason": decision.reason,
            "caused_by": caused_by,
            "at": dt.datetime.now(dt.UTC).isoformat(),
        }
        if isinstance(decision, Reward):
            self.all[key] = Firing(
                type="RewardTriggered", points=decision.points, corrects=decision.corrects, **common
            )
        else:
            self.all[key] = Firing(
                type="RetrainingRecommended",
                competency=decision.competency,
                evidence=decision.evidence,
                status="open",
                **common,
            )
        self.published.append(event)

    def update(self, key: str, **changes: Any) -> None:
        self.all[key] = self.all[key].model_copy(update=changes)

    def withdraw(self, key: str, evidence: dict[str, Any]) -> None:
        """A recommendation its cause no longer warrants: withdrawn, and RecommendationResolved says so."""
        firing = self.all[key]
        if firing.status not in ACTIVE:
            return
        self.update(key, status="withdrawn")
        resolved = events.RecommendationResolved(
            recommendation_id=firing.id,
            status="withdrawn",
            evidence=evidence,
            resolved_at=dt.datetime.now(dt.UTC),
        )
        self.published.append(
            envelope.wrap(resolved, source=SOURCE, event_id=derived_id("withdrawn", firing.id))
        )

    def key_of(self, decision: Decision) -> str:
        return field_key(firing_id(decision))


def open_count(fired: Mapping[str, Firing]) -> int:
    """Recommendations still open or scheduled (indexed, so the open list is a cheap query)."""
    return sum(1 for f in fired.values() if f.is_recommendation and f.status in ACTIVE)
