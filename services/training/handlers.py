"""Training use cases as async verbs: record completions, enrol, withdraw."""

import datetime as dt
from dataclasses import dataclass

from services.training import catalogue, recommendations
from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.identifiers import field_key
from shared.storage import Document

SOURCE = "urn:mutu:training"


@dataclass(frozen=True)
class Stores:
    """The service's aggregate collections.

    programs: one document per programme (catalogue fields, seat map, enrolled count).
    people: one per NIP (unit, enrolments, recommendations).
    records: one per (NIP, year): completions with their inbox and outbox.
    statements: one per (NIP, month): xAPI statements with other verbs.
    groups: one per project group.  units: one per unit, the members the service knows.
    """

    programs: Aggregates
    people: Aggregates
    records: Aggregates
    statements: Aggregates
    groups: Aggregates
    units: Aggregates


def record_key(nip: str, year: int) -> str:
    return f"{nip}:{year}"


async def record_completion(
    completed: envelope.CloudEvent[events.TrainingCompleted], *, stores: Stores
) -> bool:
    """Store a completion and publish it, both once per event id; a pass closes recommendations.

    The completion, its inbox mark and its outbox entry are one update of the (person, year)
    record. The person's record is updated after it, idempotently, also for a repeated event,
    so a crash between the two heals on the retry.
    """
    done = completed.data
    year = done.completed_at.year
    entry = done.model_dump(mode="json") | {"event_id": completed.id, "source": completed.source}

    def record(_: Document) -> Change:
        fields = {f"completions.{field_key(completed.id)}": entry, "nip": done.nip, "year": year}
        return Change(set=fields, publish=[completed])

    fresh = await stores.records.apply(record_key(done.nip, year), completed.id, record)
    await stores.people.apply(done.nip, None, lambda doc: _after_completion(doc, done))
    await stores.units.apply(done.unit_id, None, lambda doc: _member(doc, done.nip))
    return fresh


def _after_completion(doc: Document, done: events.TrainingCompleted) -> Change | None:
    fields = recommendations.closing(doc, done) | _unit_fields(doc, done.unit_id, done.completed_at)
    enrolment = doc.get("enrolments", {}).get(field_key(done.program_id))
    if enrolment is not None and enrolment["status"] == "enrolled":
        fields[f"enrolments.{field_key(done.program_id)}.status"] = "completed"
    return Change(set=fields) if fields else None


def _unit_fields(doc: Document, unit_id: str, at: dt.datetime) -> Document:
    """The person's current unit: the one named by their most recent enrolment or completion."""
    known_at = doc.get("unit_at")
    if doc.get("unit_id") == unit_id or (known_at is not None and known_at > at):
        return {}
    return {"unit_id": unit_id, "unit_at": at}


def _member(doc: Document, nip: str) -> Change | None:
    if field_key(nip) in doc.get("members", {}):
        return None
    return Change(set={f"members.{field_key(nip)}": nip})


async def enrol(
    program_id: str, nip: str, unit_id: str | None, *, stores: Stores, now: dt.datetime | None = None
) -> bool:
    """Take a seat and note the enrolment; False when the person was enrolled already.

    Raises catalogue.UnknownProgramError or catalogue.ProgramFullError.
    """
    at = now or dt.datetime.now(dt.UTC)
    program, fresh = await catalogue.take_seat(stores.programs, program_id, nip)
    await note_enrolment(nip, program, unit_id, stores=stores, at=at)
    return fresh


async def note_enrolment(
    nip: str, program: Document, unit_id: str | None, *, stores: Stores, at: dt.datetime
) -> None:
    key = field_key(program["_id"])

    def decide(doc: Document) -> Change | None:
        fields = _unit_fields(doc, unit_id, at) if unit_id else {}
        if doc.get("enrolments", {}).get(key, {}).get("status") != "enrolled":
            fields[f"enrolments.{key}"] = recommendations.enrolment_entry(program, at=at)
        return Change(set=fields) if fields else None

    await stores.people.apply(nip, None, decide)
    if unit_id:
        await stores.units.apply(unit_id, None, lambda doc: _member(doc, nip))


async def withdraw(program_id: str, nip: str, *, stores: Stores) -> bool:
    """Give the seat back; False when the person held none on that programme."""
    released = await catalogue.release_seat(stores.programs, program_id, nip)
    key = field_key(program_id)

    def decide(doc: Document) -> Change | None:
        if doc.get("enrolments", {}).get(key, {}).get("status") != "enrolled":
            return None
        return Change(set={f"enrolments.{key}.status": "withdrawn"})

    await stores.people.apply(nip, None, decide)
    return released
