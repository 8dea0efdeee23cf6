"""Unmet demand: per competency, who waits for retraining, the upcoming seats, and the gap (pure).

Demand is the recommendations still `open` (a scheduled one has its seat): the people holding one,
and the units whose recommendation reached them. Seats are those the scheduler could still give:
programmes of the competency that have not started (`handlers/retraining.py` seats people only on
those) and start in the period or later. The gap is the people waiting beyond those free seats.
"""

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from services.training.model.programmes import Programme, local_schedule
from shared.contract.calendar import Calendar


class Demand(BaseModel):
    """Open recommendations of one competency: distinct people, and the units behind unit ones."""

    model_config = ConfigDict(frozen=True)

    competency: str
    people: int = 0
    units: tuple[str, ...] = ()


class ProgrammeSeats(BaseModel):
    program_id: str
    title: str | None
    starts_at: str
    ends_at: str
    timezone: str
    capacity: int
    enrolled: int
    free_seats: int


class CompetencyPlan(BaseModel):
    competency: str
    people_waiting: int
    units_waiting: list[str]
    no_programme: bool  # demand and no upcoming programme at all: listed first
    programmes: list[ProgrammeSeats]
    free_seats: int
    gap: int


class Plan(BaseModel):
    period: str
    seats_from: dt.datetime
    competencies: list[CompetencyPlan]


def seats_from(period: str, calendar: Calendar, now: dt.datetime) -> dt.datetime:
    """The earliest start a counted programme may have: the period's start, or now if later."""
    return max(calendar.period_start(period), now)


def counted(programme: Programme, *, start: dt.datetime, now: dt.datetime) -> bool:
    """A programme whose seats count: it starts in the period or later and has not started yet."""
    starts_at = programme.starts_at
    return starts_at is not None and starts_at > now and starts_at >= start


def plan(
    period: str,
    demand: Iterable[Demand],
    programmes: Iterable[Programme],
    *,
    calendar: Calendar,
    now: dt.datetime,
    default_timezone: str,
) -> Plan:
    """The plan of every competency with demand or an upcoming programme.

    Demand without any upcoming programme comes first, then the largest gap, then the code.
    """
    start = seats_from(period, calendar, now)
    wanted = {d.competency: d for d in demand if d.people > 0 or d.units}
    offered: dict[str, list[ProgrammeSeats]] = {}
    for programme in sorted(programmes, key=lambda p: (p.starts_at or now, p.program_id)):
        if programme.competency is None or not counted(programme, start=start, now=now):
            continue
        offered.setdefault(programme.competency, []).append(_seats(programme, default_timezone))
    rows = [_row(code, wanted.get(code), offered.get(code, [])) for code in set(wanted) | set(offered)]
    rows.sort(key=lambda r: (not r.no_programme, -r.gap, r.competency))
    return Plan(period=period, seats_from=calendar.local(start), competencies=rows)


def _seats(programme: Programme, default_timezone: str) -> ProgrammeSeats:
    capacity = programme.capacity or 0
    return ProgrammeSeats(
        program_id=programme.program_id,
        title=programme.title,
        **local_schedule(programme, default_timezone),
        capacity=capacity,
        enrolled=programme.enrolled,
        free_seats=max(capacity - programme.enrolled, 0),
    )


def _row(competency: str, demand: Demand | None, programmes: list[ProgrammeSeats]) -> CompetencyPlan:
    people = demand.people if demand else 0
    free = sum(p.free_seats for p in programmes)
    return CompetencyPlan(
        competency=competency,
        people_waiting=people,
        units_waiting=sorted(demand.units) if demand else [],
        no_programme=demand is not None and not programmes,
        programmes=programmes,
        free_seats=free,
        gap=max(people - free, 0),
    )


def gaps(found: Plan, competencies: Iterable[str]) -> dict[str, int]:
    """The gap of every configured competency (0 without demand) and of any other with demand."""
    return dict.fromkeys(competencies, 0) | {row.competency: row.gap for row in found.competencies}
