"""A person's training record: roster entry, current unit, enrolments and retraining recommendations."""

import datetime as dt
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from services.training.model import SOURCE
from services.training.model.programmes import Programme
from services.training.model.recommendations import Recommendation, Status
from services.training.model.roster import Rostered, RosterEntry
from shared.contract import envelope, events
from shared.contract.fields import Nip, UnitId
from shared.contract.identifiers import derived_id, field_key
from shared.persistence.state_store import Outcome, State

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


class Person(State):
    """One NIP: roster entry, current unit (and since when), enrolments and recommendations by hashed id."""

    roster: Rostered | None = None
    unit_id: str | None = None
    unit_at: dt.datetime | None = None
    enrolments: dict[str, EnrolmentEntry] = Field(default_factory=dict)
    recommendations: dict[str, Recommendation] = Field(default_factory=dict)

    def waiting(self) -> list[str]:
        """Competencies of the person's open recommendations (stored, so the adapter can find them)."""
        return sorted({r.competency for r in self.recommendations.values() if r.status == "open"})

    @model_serializer(mode="wrap")
    def _with_waiting(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`waiting` is derived: written with the state, ignored when read back."""
        data: dict[str, Any] = handler(self)
        return data | {"waiting": self.waiting()}

    def member_of(self, unit_id: str) -> bool:
        """An active roster member of the unit; people off the roster: the unit of their latest training."""
        if self.roster is not None:
            return self.roster.active and self.roster.unit_id == unit_id
        return self.unit_id == unit_id

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


def rostered(person: Person, nip: str, entry: RosterEntry, *, at: dt.datetime) -> Outcome[Person] | None:
    """Put the person on the roster as `entry` says; the same entry again changes nothing.

    An entry without a name keeps the name known. Publishes RosterChanged (without the name).
    """
    current = person.roster
    name = entry.name if entry.name is not None else (current.name if current else None)
    wanted = entry.model_copy(update={"name": name})
    if (
        current is not None
        and RosterEntry.model_validate(current.model_dump(exclude={"at", "changes"})) == wanted
    ):
        return None
    changes = (current.changes if current else 0) + 1
    kept = Rostered(**wanted.model_dump(), at=at, changes=changes)
    event = envelope.wrap(
        events.RosterChanged(
            nip=nip, unit_id=entry.unit_id, employee_type=entry.employee_type, active=entry.active
        ),
        source=SOURCE,
        event_id=derived_id("roster-changed", nip, str(changes)),
        time=at,
    )
    state = person.model_copy(update={"roster": kept, "unit_id": entry.unit_id, "unit_at": at})
    return Outcome(state, publish=[event])


def _current_unit(person: Person, unit_id: str, at: dt.datetime) -> dict[str, Any]:
    """The person's current unit: the roster's, else the one named by their latest enrolment or completion."""
    if person.roster is not None:
        return {}
    if person.unit_id == unit_id or (person.unit_at is not None and person.unit_at > at):
        return {}
    return {"unit_id": unit_id, "unit_at": at}


def _changed(person: Person, update: dict[str, Any]) -> Outcome[Person] | None:
    return Outcome(person.model_copy(update=update)) if update else None


def after_completion(person: Person, done: events.TrainingCompleted) -> Outcome[Person] | None:
    """The enrolment completes and the unit may move; recommendations are evaluation's to close."""
    update = _current_unit(person, done.unit_id, done.completed_at)
    enrolment = person.enrolment(done.program_id)
    if enrolment is not None and enrolment.status == "enrolled":
        completed = enrolment.model_copy(update={"status": "completed"})
        update["enrolments"] = person.enrolments | {field_key(done.program_id): completed}
    return _changed(person, update)


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


def withdrawn(person: Person, nip: str, program_id: str, *, at: dt.datetime) -> Outcome[Person] | None:
    """The enrolment is withdrawn; a recommendation scheduled on it is open again (RetrainingWithdrawn)."""
    current = person.enrolment(program_id)
    if current is None or current.status != "enrolled":
        return None
    entry = current.model_copy(update={"status": "withdrawn"})
    reopened, published = {}, []
    for key, rec in person.recommendations.items():
        if rec.status != "scheduled" or rec.program_id != program_id:
            continue
        count = rec.withdrawals + 1
        reopened[key] = rec.model_copy(
            update={"status": "open", "program_id": None, "scheduled_at": None, "withdrawals": count}
        )
        published.append(
            envelope.wrap(
                events.RetrainingWithdrawn(
                    recommendation_id=rec.recommendation_id, nip=nip, program_id=program_id
                ),
                source=SOURCE,
                event_id=derived_id("retraining-withdrawn", rec.recommendation_id, nip, str(count)),
                time=at,
            )
        )
    update = {
        "enrolments": person.enrolments | {field_key(program_id): entry},
        "recommendations": person.recommendations | reopened,
    }
    return Outcome(person.model_copy(update=update), publish=published)


def resolved(
    person: Person, event: envelope.CloudEvent[events.RecommendationResolved]
) -> Outcome[Person] | None:
    """Mirror evaluation's resolution (done, expired, withdrawn) of a recommendation the person has."""
    key = field_key(event.data.recommendation_id)
    rec = person.recommendations.get(key)
    if rec is None or (rec.status, rec.resolved_at) == (event.data.status, event.data.resolved_at):
        return None
    closed = rec.model_copy(
        update={
            "status": event.data.status,
            "resolved_at": event.data.resolved_at,
            "evidence": dict(event.data.evidence),
        }
    )
    return Outcome(person.model_copy(update={"recommendations": person.recommendations | {key: closed}}))


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
