"""A person's training record (unit, enrolments, retraining recommendations) and a unit's known members."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from services.training.model.programmes import Programme
from shared.contract import envelope, events
from shared.contract.fields import Nip, UnitId
from shared.contract.identifiers import field_key
from shared.persistence.state_store import Outcome, State

Status = Literal["open", "scheduled", "done"]
ACTIVE = frozenset({"open", "scheduled"})
EnrolmentStatus = Literal["enrolled", "completed", "withdrawn"]


class Enrolment(BaseModel):
    """A request to take a seat (the person's unit, when known, becomes their current one)."""

    model_config = ConfigDict(extra="forbid")

    nip: Nip
    unit_id: UnitId | None = None


class EnrolmentEntry(BaseModel):
    """What a person's record keeps about an enrolment: a snapshot of the programme and the status."""

    model_config = ConfigDict(frozen=True)

    program_id: str
    title: str | None = None
    competency: str | None = None
    method: str | None = None
    jp: int | None = None
    starts_at: dt.datetime | None = None
    status: EnrolmentStatus = "enrolled"
    at: dt.datetime | None = None

    @classmethod
    def of(cls, programme: Programme, *, at: dt.datetime | None) -> "EnrolmentEntry":
        return cls(
            program_id=programme.program_id,
            title=programme.title,
            competency=programme.competency,
            method=programme.method,
            jp=programme.jp,
            starts_at=programme.starts_at,
            at=at,
        )


class DoneBy(BaseModel):
    model_config = ConfigDict(frozen=True)

    program_id: str
    score: float


class Recommendation(BaseModel):
    """A retraining recommendation on the person's record: open -> scheduled -> done."""

    model_config = ConfigDict(frozen=True)

    recommendation_id: str
    competency: str
    rule_id: str
    reason: str
    target: Literal["person", "unit"]
    unit_id: str | None = None
    status: Status = "open"
    opened_at: dt.datetime | None = None
    caused_by: list[str] = Field(default_factory=list)
    program_id: str | None = None
    scheduled_at: dt.datetime | None = None
    done_by: DoneBy | None = None

    @model_serializer(mode="wrap")
    def _steps_taken(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The scheduling and closing fields appear once set (as they are stored)."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None or k not in _LATER}


_LATER = frozenset({"program_id", "scheduled_at", "done_by"})


class Person(State):
    """One NIP: the current unit (and since when), enrolments and recommendations by hashed id."""

    unit_id: str | None = None
    unit_at: dt.datetime | None = None
    enrolments: dict[str, EnrolmentEntry] = Field(default_factory=dict)
    recommendations: dict[str, Recommendation] = Field(default_factory=dict)

    def status_of(self, recommendation_id: str) -> Status | None:
        found = self.recommendations.get(field_key(recommendation_id))
        return None if found is None else found.status

    def enrolment(self, program_id: str) -> EnrolmentEntry | None:
        return self.enrolments.get(field_key(program_id))

    def enrolled_upcoming(self, competency: str, now: dt.datetime) -> list[str]:
        """Programmes in the competency the person is enrolled on that have not started."""
        return [
            e.program_id
            for e in self.enrolments.values()
            if e.status == "enrolled" and e.competency == competency and e.starts_at and e.starts_at > now
        ]


class Unit(State):
    """A unit's members the service has seen (enrolments and completions), by hashed NIP."""

    members: dict[str, str] = Field(default_factory=dict)


def joined(unit: Unit, nip: str) -> Outcome[Unit] | None:
    if field_key(nip) in unit.members:
        return None
    return Outcome(unit.model_copy(update={"members": unit.members | {field_key(nip): nip}}))


def _current_unit(person: Person, unit_id: str, at: dt.datetime) -> dict[str, Any]:
    """The person's current unit: the one named by their most recent enrolment or completion."""
    if person.unit_id == unit_id or (person.unit_at is not None and person.unit_at > at):
        return {}
    return {"unit_id": unit_id, "unit_at": at}


def _changed(person: Person, update: dict[str, Any]) -> Outcome[Person] | None:
    return Outcome(person.model_copy(update=update)) if update else None


def after_completion(person: Person, done: events.TrainingCompleted) -> Outcome[Person] | None:
    """A pass closes active recommendations in its competency; the enrolment completes; the unit moves."""
    update = _current_unit(person, done.unit_id, done.completed_at)
    closed = _closing(person, done)
    if closed:
        update["recommendations"] = person.recommendations | closed
    enrolment = person.enrolment(done.program_id)
    if enrolment is not None and enrolment.status == "enrolled":
        completed = enrolment.model_copy(update={"status": "completed"})
        update["enrolments"] = person.enrolments | {field_key(done.program_id): completed}
    return _changed(person, update)


def _closing(person: Person, done: events.TrainingCompleted) -> dict[str, Recommendation]:
    """Active recommendations in the competency opened before a pass, marked done by it."""
    if not done.passed:
        return {}
    done_by = DoneBy(program_id=done.program_id, score=done.score)
    return {
        key: rec.model_copy(update={"status": "done", "done_by": done_by})
        for key, rec in person.recommendations.items()
        if rec.competency == done.competency
        and rec.status in ACTIVE
        and (rec.opened_at is None or done.completed_at >= rec.opened_at)
    }


def enrolled(
    person: Person, programme: Programme, unit_id: str | None, *, at: dt.datetime
) -> Outcome[Person] | None:
    """Note an enrolment (unless the person is enrolled already) and the unit it names."""
    update = _current_unit(person, unit_id, at) if unit_id else {}
    current = person.enrolment(programme.program_id)
    if current is None or current.status != "enrolled":
        entry = EnrolmentEntry.of(programme, at=at)
        update["enrolments"] = person.enrolments | {field_key(programme.program_id): entry}
    return _changed(person, update)


def withdrawn(person: Person, program_id: str) -> Outcome[Person] | None:
    current = person.enrolment(program_id)
    if current is None or current.status != "enrolled":
        return None
    entry = current.model_copy(update={"status": "withdrawn"})
    return _changed(person, {"enrolments": person.enrolments | {field_key(program_id): entry}})


def opened(
    person: Person, rec: events.RetrainingRecommended, *, cause: str, at: dt.datetime
) -> Outcome[Person] | None:
    """Open the recommendation on the person's record unless it is there already."""
    key = field_key(rec.recommendation_id)
    if key in person.recommendations:
        return None
    entry = Recommendation(
        recommendation_id=rec.recommendation_id,
        competency=rec.competency,
        rule_id=rec.rule_id,
        reason=rec.reason,
        target="person" if rec.nip else "unit",
        unit_id=rec.unit_id,
        opened_at=at,
        caused_by=[cause],
    )
    return _changed(person, {"recommendations": person.recommendations | {key: entry}})


def scheduled(
    person: Person,
    programme: Programme,
    event: envelope.CloudEvent[events.RetrainingScheduled],
) -> Outcome[Person] | None:
    """Mark an open recommendation scheduled, note the enrolment, and publish RetrainingScheduled."""
    key = field_key(event.data.recommendation_id)
    if person.status_of(event.data.recommendation_id) != "open":
        return None
    rec = person.recommendations[key].model_copy(
        update={"status": "scheduled", "program_id": programme.program_id, "scheduled_at": event.time}
    )
    entry = EnrolmentEntry.of(programme, at=event.time)
    state = person.model_copy(
        update={
            "recommendations": person.recommendations | {key: rec},
            "enrolments": person.enrolments | {field_key(programme.program_id): entry},
        }
    )
    return Outcome(state, publish=[event])
