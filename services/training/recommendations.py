"""Retraining recommendations on a person's record (open -> scheduled -> done): pure rules."""

import datetime as dt
from typing import Any, Literal

from shared import envelope, events
from shared.aggregates import Change
from shared.identifiers import field_key
from shared.storage import Document

Status = Literal["open", "scheduled", "done"]
ACTIVE = frozenset({"open", "scheduled"})


def open_change(
    doc: Document, rec: events.RetrainingRecommended, *, cause: str, at: dt.datetime
) -> Change | None:
    """Open the recommendation on the person's record unless it is there already."""
    key = field_key(rec.recommendation_id)
    if key in doc.get("recommendations", {}):
        return None
    entry = {
        "recommendation_id": rec.recommendation_id,
        "competency": rec.competency,
        "rule_id": rec.rule_id,
        "reason": rec.reason,
        "target": "person" if rec.nip else "unit",
        "unit_id": rec.unit_id,
        "status": "open",
        "opened_at": at,
        "caused_by": [cause],
    }
    return Change(set={f"recommendations.{key}": entry})


def status_of(doc: Document, recommendation_id: str) -> str | None:
    rec = doc.get("recommendations", {}).get(field_key(recommendation_id))
    return None if rec is None else str(rec["status"])


def schedule_change(
    doc: Document,
    recommendation_id: str,
    program: Document,
    scheduled: envelope.CloudEvent[events.RetrainingScheduled],
) -> Change | None:
    """Mark an open recommendation scheduled, note the enrolment, and publish RetrainingScheduled."""
    key = field_key(recommendation_id)
    if status_of(doc, recommendation_id) != "open":
        return None
    return Change(
        set={
            f"recommendations.{key}.status": "scheduled",
            f"recommendations.{key}.program_id": program["_id"],
            f"recommendations.{key}.scheduled_at": scheduled.time,
            f"enrolments.{field_key(program['_id'])}": enrolment_entry(program, at=scheduled.time),
        },
        publish=[scheduled],
    )


def closing(doc: Document, done: events.TrainingCompleted) -> Document:
    """Fields that mark active recommendations in the competency done after a later pass."""
    if not done.passed:
        return {}
    fields: Document = {}
    for key, rec in doc.get("recommendations", {}).items():
        opened_at = rec.get("opened_at")
        later = opened_at is None or done.completed_at >= opened_at
        if rec["competency"] == done.competency and rec["status"] in ACTIVE and later:
            fields[f"recommendations.{key}.status"] = "done"
            fields[f"recommendations.{key}.done_by"] = {"program_id": done.program_id, "score": done.score}
    return fields


def enrolment_entry(program: Document, *, at: dt.datetime | None, status: str = "enrolled") -> dict[str, Any]:
    """What a person's record keeps about an enrolment (a snapshot of the programme)."""
    return {
        "program_id": program["_id"],
        "title": program.get("title"),
        "competency": program.get("competency"),
        "method": program.get("method"),
        "jp": program.get("jp"),
        "starts_at": program.get("starts_at"),
        "status": status,
        "at": at,
    }
