"""Read models (pure) from the typed states: a programme, a person's trainings per year, recommendations."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from services.training.model.groups import Group
from services.training.model.people import Person
from services.training.model.programmes import Programme, local_schedule
from services.training.model.records import Completion, Record

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ProgramView(BaseModel):
    """A programme as the catalogue shows it: the schedule in its own timezone, seats left."""

    program_id: str
    title: str
    competency: str
    method: str
    jp: int
    minutes: int
    starts_at: str
    ends_at: str
    timezone: str
    capacity: int
    enrolled: int
    seats_left: int


def program(programme: Programme, *, default_timezone: str, minutes_per_jp: int) -> ProgramView:
    capacity, enrolled = int(programme.capacity or 0), programme.enrolled
    jp = int(programme.jp or 0)
    return ProgramView(
        program_id=programme.program_id,
        title=programme.title or "",
        competency=programme.competency or "",
        method=programme.method or "",
        jp=jp,
        minutes=jp * minutes_per_jp,
        **local_schedule(programme, default_timezone),
        capacity=capacity,
        enrolled=enrolled,
        seats_left=max(0, capacity - enrolled),
    )


def trainings(
    nip: str, person: Person, records: Iterable[Record], *, minutes_per_jp: int, year: int | None = None
) -> dict[str, Any]:
    """Enrolments and, per calendar year (newest first), completions with score and JP."""
    years = []
    for record in sorted(records, key=lambda r: r.year or 0, reverse=True):
        if year is not None and record.year != year:
            continue
        completed = sorted(record.completions.values(), key=lambda c: c.completed_at)
        jp = sum(c.jp for c in completed)
        years.append(
            {
                "year": record.year,
                "jp": jp,
                "jp_passed": sum(c.jp for c in completed if c.passed),
                "minutes": jp * minutes_per_jp,
                "completed": [_completion(c) for c in completed],
            }
        )
    enrolments = sorted(
        (e.model_dump() for e in person.enrolments.values()), key=lambda e: str(e.get("starts_at"))
    )
    return {
        "nip": nip,
        "unit_id": person.unit_id,
        "enrolled": [e for e in enrolments if e["status"] == "enrolled"],
        "enrolments": enrolments,
        "years": years,
    }


def _completion(entry: Completion) -> dict[str, Any]:
    return entry.model_dump(exclude={"source", "nip"})


def recommendations(nip: str, person: Person, status: str | None = None) -> dict[str, Any]:
    found = sorted(person.recommendations.values(), key=lambda r: r.opened_at or EPOCH)
    return {"nip": nip, "recommendations": [r.model_dump() for r in found if status in {None, r.status}]}


def group(state: Group) -> dict[str, Any]:
    shown = state.model_dump(exclude_none=True, exclude={"members", "assessment"})
    members = [m.model_dump() for m in state.members]
    extra = {} if state.assessment is None else {"assessment": state.assessment.model_dump()}
    return {"group_id": state.group_id, **shown, "members": members, **extra}
