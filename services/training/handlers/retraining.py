"""Closing the loop: RetrainingRecommended opens a recommendation and, with a free seat, schedules it."""

import asyncio
import datetime as dt
import logging

from services.training.model import SOURCE, people
from services.training.model.people import Person
from services.training.model.programmes import ProgramFullError, Programme
from services.training.repository import Repositories
from shared.contract import envelope, events
from shared.contract.identifiers import derived_id, field_key

logger = logging.getLogger(__name__)
CONCURRENT_MEMBERS = 16


def scheduled_id(recommendation_id: str, nip: str) -> str:
    return derived_id("retraining-scheduled", recommendation_id, nip)


async def recommend(
    recommended: envelope.CloudEvent[events.RetrainingRecommended],
    *,
    repos: Repositories,
    now: dt.datetime | None = None,
) -> dict[str, str | None]:
    """Open it for the person (or every member of the unit the service knows), then schedule each.

    Returns NIP -> the programme they are scheduled on (None while no upcoming programme has room).
    """
    rec = recommended.data
    now = now or dt.datetime.now(dt.UTC)
    if rec.nip is not None:
        nips = [rec.nip]
    else:
        unit = await repos.units.get(rec.unit_id) if rec.unit_id else None
        nips = sorted(unit.members.values()) if unit else []
    logger.info("recommendation %s for %d people", rec.recommendation_id, len(nips))
    gate = asyncio.Semaphore(CONCURRENT_MEMBERS)

    async def one(nip: str) -> str | None:
        async with gate:
            return await open_and_schedule(nip, recommended, repos=repos, now=now)

    found = await asyncio.gather(*(one(nip) for nip in nips))
    return dict(zip(nips, found, strict=True))


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
    status = person.status_of(rec.recommendation_id)
    if status != "open":
        found = person.recommendations.get(field_key(rec.recommendation_id))
        return None if found is None else found.program_id
    programme = await _seat(person, nip, rec.competency, repos=repos, now=now)
    if programme is None:
        return None
    event = envelope.wrap(
        events.RetrainingScheduled(
            recommendation_id=rec.recommendation_id, nip=nip, program_id=programme.program_id
        ),
        source=SOURCE,
        event_id=scheduled_id(rec.recommendation_id, nip),
        time=now,
    )
    await repos.people.update(nip, lambda state: people.scheduled(state, programme, event))
    return programme.program_id


async def _seat(
    person: Person, nip: str, competency: str, *, repos: Repositories, now: dt.datetime
) -> Programme | None:
    """An upcoming programme in the competency: one they are enrolled on, else the soonest with room."""
    for program_id in person.enrolled_upcoming(competency, now):
        programme = await repos.programmes.get(program_id)
        if programme is not None:
            return programme
    for candidate in await repos.programmes.upcoming_with_room(competency, now, nip):
        try:
            programme, _ = await repos.programmes.take_seat(candidate.program_id, nip)
        except ProgramFullError:
            continue
        return programme
    return None
