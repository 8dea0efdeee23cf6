"""Closing the loop: RetrainingRecommended opens a recommendation and, with a free seat, schedules it.

An open recommendation waits for room: a programme of its competency created, its capacity raised
or a seat freed schedules it then. Evaluation owns the status: RecommendationResolved is mirrored.
"""

import asyncio
import datetime as dt
import logging

from services.training.model import SOURCE, people, roster
from services.training.model.people import Person
from services.training.model.programmes import ProgramFullError, Programme
from services.training.repository import Repositories
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id, field_key

logger = logging.getLogger(__name__)
CONCURRENT_MEMBERS = 16


def scheduled_id(recommendation_id: str, nip: str, withdrawals: int = 0) -> str:
    """The RetrainingScheduled id: one per recommendation and person, a new one after each withdrawal."""
    if withdrawals == 0:
        return derived_id("retraining-scheduled", recommendation_id, nip)
    return derived_id("retraining-scheduled", recommendation_id, nip, str(withdrawals))


async def recommend(
    recommended: envelope.CloudEvent[events.RetrainingRecommended],
    *,
    repos: Repositories,
    now: dt.datetime | None = None,
) -> dict[str, str | None]:
    """Open it for the person (or every current member of the unit), then schedule each.

    A unit's members are its active roster members and the people off the roster whose latest
    training was in it; someone who left (inactive, or moved) gets no more of its recommendations.
    Returns NIP -> the programme they are scheduled on (None while no upcoming programme has room).
    """
    rec = recommended.data
    now = now or dt.datetime.now(dt.UTC)
    if rec.nip is None and rec.unit_id is not None:  # kept for people who join the unit later
        await repos.units.update(rec.unit_id, lambda unit: roster.recommended(unit, recommended))
    nips = [rec.nip] if rec.nip is not None else await members(rec.unit_id, repos=repos)
    logger.info("recommendation %s for %d people", rec.recommendation_id, len(nips))
    gate = asyncio.Semaphore(CONCURRENT_MEMBERS)

    async def one(nip: str) -> str | None:
        async with gate:
            return await open_and_schedule(nip, recommended, repos=repos, now=now)

    found = await asyncio.gather(*(one(nip) for nip in nips))
    return dict(zip(nips, found, strict=True))


async def members(unit_id: str | None, *, repos: Repositories) -> list[str]:
    """The unit's current members (sorted NIPs), each checked against their own record."""
    unit = await repos.units.get(unit_id) if unit_id else None
    if unit is None or unit_id is None:
        return []
    found = [(nip, await repos.people.get(nip)) for nip in unit.candidates()]
    return [nip for nip, person in found if person is not None and person.member_of(unit_id)]


async def open_and_schedule(
    nip: str,
    recommended: envelope.CloudEvent[events.RetrainingRecommended],
    *,
    repos: Repositories,
    now: dt.datetime,
) -> str | None:
    rec = recommended.data
    opened_at = recommended.time or now
    await repos.people.update(
        nip, lambda person: people.opened(person, rec, cause=recommended.id, at=opened_at)
    )
    person = await repos.people.get(nip) or Person()
    found = person.recommendations.get(field_key(rec.recommendation_id))
    if found is None or found.status != "open":
        return None if found is None else found.program_id
    return await _schedule(nip, person, rec.recommendation_id, repos=repos, now=now)


async def _schedule(
    nip: str, person: Person, recommendation_id: str, *, repos: Repositories, now: dt.datetime
) -> str | None:
    """Give the open recommendation a seat (None: no upcoming programme of its competency has room)."""
    rec = person.recommendations[field_key(recommendation_id)]
    programme = await _seat(person, nip, rec.competency, repos=repos, now=now)
    if programme is None:
        return None
    event = envelope.wrap(
        events.RetrainingScheduled(
            recommendation_id=recommendation_id, nip=nip, program_id=programme.program_id
        ),
        source=SOURCE,
        event_id=scheduled_id(recommendation_id, nip, rec.withdrawals),
        time=now,
    )
    await repos.people.update(nip, lambda state: people.scheduled(state, programme, event))
    return programme.program_id


async def fill_seats(competency: str | None, *, repos: Repositories, now: dt.datetime | None = None) -> int:
    """Schedule open recommendations of the competency while its upcoming programmes have room.

    Called when room appears (a programme created, capacity raised, a seat freed). Returns how
    many were scheduled.
    """
    if competency is None:
        return 0
    now = now or dt.datetime.now(dt.UTC)
    count = 0
    for nip in await repos.people.waiting(competency):
        person = await repos.people.get(nip) or Person()
        waiting = sorted(
            (r for r in person.recommendations.values() if r.status == "open" and r.competency == competency),
            key=lambda r: (r.opened_at or now, r.recommendation_id),
        )
        for rec in waiting:
            if await _schedule(nip, person, rec.recommendation_id, repos=repos, now=now) is None:
                if not await repos.programmes.upcoming_with_room(competency, now, nip):
                    return count  # no room left for anyone
                break  # room, but not for this person (e.g. the seat they gave up)
            count += 1
            person = await repos.people.get(nip) or Person()
    return count


async def resolve(
    resolution: envelope.CloudEvent[events.RecommendationResolved], *, repos: Repositories
) -> int:
    """Mirror evaluation's resolution on every record holding the recommendation; returns how many."""
    rec_id = resolution.data.recommendation_id
    nips = await repos.people.holding(rec_id)
    units = set()
    for nip in nips:
        await repos.people.update(nip, lambda person: people.resolved(person, resolution))
        held = (await repos.people.get(nip) or Person()).recommendations.get(field_key(rec_id))
        if held is not None and held.target == "unit" and held.unit_id:
            units.add(held.unit_id)
    for unit_id in units:
        await repos.units.update(unit_id, lambda unit: roster.resolved(unit, rec_id))
    return len(nips)


async def _seat(
    person: Person, nip: str, competency: str, *, repos: Repositories, now: dt.datetime
) -> Programme | None:
    """An upcoming programme in the competency: one they are enrolled on, else the soonest with room.

    A programme the person withdrew from is not offered again.
    """
    for program_id in person.enrolled_upcoming(competency, now):
        programme = await repos.programmes.get(program_id)
        if programme is not None:
            return programme
    for candidate in await repos.programmes.upcoming_with_room(competency, now, nip):
        given_up = person.enrolment(candidate.program_id)
        if given_up is not None and given_up.status == "withdrawn":
            continue
        try:
            programme, _ = await repos.programmes.take_seat(candidate.program_id, nip)
        except ProgramFullError:
            continue
        return programme
    return None
