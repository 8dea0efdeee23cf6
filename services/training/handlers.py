"""Training use cases as async verbs: completions, enrolments, groups, retraining."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.training import model
from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.identifiers import derived_id
from shared.storage import Document, field_key

SOURCE = "urn:mutu:training"


class ProgramFullError(ValueError):
    """No seat left on the programme."""


@dataclass(frozen=True)
class Stores:
    programs: Aggregates
    people: Aggregates
    groups: Aggregates
    units: Aggregates


async def record_completion(
    completed: envelope.CloudEvent[events.TrainingCompleted], *, stores: Stores
) -> bool:
    """Store a completion once and publish it once; a pass closes matching recommendations."""
    done = completed.data

    def decide(doc: Document) -> Change:
        entry = done.model_dump(mode="json") | {"event_id": completed.id}
        fields: Document = {f"completions.{field_key(completed.id)}": entry, "unit_id": done.unit_id}
        if done.passed:
            for key, rec in doc.get("recommendations", {}).items():
                if rec["competency"] == done.competency and rec["status"] != "done":
                    fields[f"recommendations.{key}.status"] = "done"
        return Change(set=fields, publish=[completed])

    fresh = await stores.people.apply(done.nip, completed.id, decide)
    await stores.units.apply(done.unit_id, None, lambda doc: _member(doc, done.nip))
    return fresh


def _member(doc: Document, nip: str) -> Change | None:
    return (
        None if field_key(nip) in doc.get("members", {}) else Change(set={f"members.{field_key(nip)}": nip})
    )


async def enrol(program_id: str, nip: str, unit_id: str | None, *, stores: Stores) -> str:
    """Take a seat (never more than the capacity, however many ask at once); 'enrolled' or 'already'."""
    outcome = "already"

    def take_seat(doc: Document) -> Change | None:
        nonlocal outcome
        if not doc:
            raise KeyError(program_id)
        if field_key(nip) in doc.get("seats", {}):
            return None
        if len(doc.get("seats", {})) >= int(doc["capacity"]):
            raise ProgramFullError(program_id)
        outcome = "enrolled"
        return Change(set={f"seats.{field_key(nip)}": nip})

    await stores.programs.apply(program_id, None, take_seat)
    entry = {"program_id": program_id, "status": "enrolled", "at": dt.datetime.now(dt.UTC).isoformat()}
    await stores.people.apply(nip, None, lambda _: Change(set={f"enrolments.{field_key(program_id)}": entry}))
    if unit_id:
        await stores.units.apply(unit_id, None, lambda doc: _member(doc, nip))
    return outcome


async def withdraw(program_id: str, nip: str, *, stores: Stores) -> bool:
    await stores.programs.collection.update_one(
        {"_id": program_id}, {"$unset": {f"seats.{field_key(nip)}": ""}}
    )
    entry = {"program_id": program_id, "status": "withdrawn", "at": dt.datetime.now(dt.UTC).isoformat()}
    await stores.people.apply(nip, None, lambda _: Change(set={f"enrolments.{field_key(program_id)}": entry}))
    return True


async def assess_group(
    group: Document, program: Document, assessment: model.Assessment, *, stores: Stores
) -> list[str]:
    """The project's assessment completes the training for every member, each its own event."""
    ids = []
    for nip in group["members"]:
        done = model.completion_for(program, nip, group["unit_id"], assessment, group["_id"])
        event_id = derived_id("group-completion", group["_id"], nip)
        event = envelope.wrap(done, source=SOURCE, event_id=event_id, time=assessment.completed_at)
        await record_completion(event, stores=stores)
        ids.append(event_id)
    record = assessment.model_dump(mode="json") | {"events": ids}
    await stores.groups.apply(group["_id"], None, lambda _: Change(set={"assessment": record}))
    return ids


async def recommend(
    recommended: envelope.CloudEvent[events.RetrainingRecommended], *, stores: Stores
) -> None:
    """Open the recommendation for the person (or every known member of the unit), then schedule it."""
    rec = recommended.data
    if rec.nip is not None:
        people = [rec.nip]
    else:
        unit = await stores.units.get(rec.unit_id) or {}
        people = sorted(unit.get("members", {}).values())
    for nip in people:
        await _open_and_schedule(nip, rec, recommended.id, stores=stores)


async def _open_and_schedule(
    nip: str, rec: events.RetrainingRecommended, cause: str, *, stores: Stores
) -> None:
    key = field_key(rec.recommendation_id)
    opened = {
        "recommendation_id": rec.recommendation_id,
        "competency": rec.competency,
        "rule_id": rec.rule_id,
        "reason": rec.reason,
        "status": "open",
        "caused_by": [cause],
        "for_unit": rec.unit_id,
    }
    await stores.people.apply(
        nip,
        None,
        lambda doc: (
            None if key in doc.get("recommendations", {}) else Change(set={f"recommendations.{key}": opened})
        ),
    )
    person = await stores.people.get(nip) or {}
    if person.get("recommendations", {}).get(key, {}).get("status") != "open":
        return
    program_id = await _seat_in_upcoming(rec.competency, nip, person.get("unit_id"), stores=stores)
    if program_id is None:
        return
    scheduled = events.RetrainingScheduled(
        recommendation_id=rec.recommendation_id, nip=nip, program_id=program_id
    )
    event = envelope.wrap(
        scheduled, source=SOURCE, event_id=derived_id("scheduled", rec.recommendation_id, nip)
    )

    def mark(doc: Document) -> Change | None:
        if doc.get("recommendations", {}).get(key, {}).get("status") != "open":
            return None
        return Change(
            set={
                f"recommendations.{key}.status": "scheduled",
                f"recommendations.{key}.program_id": program_id,
            },
            publish=[event],
        )

    await stores.people.apply(nip, None, mark)


async def _seat_in_upcoming(competency: str, nip: str, unit_id: Any, *, stores: Stores) -> str | None:
    now = dt.datetime.now(dt.UTC)
    cursor = stores.programs.collection.find(
        {"competency": competency, "starts_at": {"$gt": now}}, {"_id": 1}
    ).sort("starts_at", 1)
    async for program in cursor:
        try:
            await enrol(program["_id"], nip, unit_id, stores=stores)
        except ProgramFullError:
            continue
        return str(program["_id"])
    return None
