"""Closing the loop: RetrainingRecommended opens a recommendation and, with a free seat, schedules it."""

import asyncio
import datetime as dt
import logging

from services.training import catalogue, recommendations
from services.training.handlers import SOURCE, Stores
from shared import envelope, events
from shared.identifiers import derived_id, field_key
from shared.storage import Document

logger = logging.getLogger(__name__)
CONCURRENT_MEMBERS = 16


def scheduled_id(recommendation_id: str, nip: str) -> str:
    return derived_id("retraining-scheduled", recommendation_id, nip)


async def recommend(
    recommended: envelope.CloudEvent[events.RetrainingRecommended],
    *,
    stores: Stores,
    now: dt.datetime | None = None,
) -> dict[str, str | None]:
    """Open it for the person (or every member of the unit the service knows), then schedule each.

    Returns NIP -> the programme they are scheduled on (None while no upcoming programme has room).
    """
    rec = recommended.data
    now = now or dt.datetime.now(dt.UTC)
    if rec.nip is not None:
        people = [rec.nip]
    else:
        unit = await stores.units.get(rec.unit_id) or {}
        people = sorted(unit.get("members", {}).values())
    logger.info("recommendation %s for %d people", rec.recommendation_id, len(people))
    gate = asyncio.Semaphore(CONCURRENT_MEMBERS)

    async def one(nip: str) -> str | None:
        async with gate:
            return await open_and_schedule(nip, recommended, stores=stores, now=now)

    found = await asyncio.gather(*(one(nip) for nip in people))
    return dict(zip(people, found, strict=True))


async def open_and_schedule(
    nip: str,
    recommended: envelope.CloudEvent[events.RetrainingRecommended],
    *,
    stores: Stores,
    now: dt.datetime,
) -> str | None:
    rec = recommended.data
    opened_at = recommended.time or now
    await stores.people.apply(
        nip, None, lambda doc: recommendations.open_change(doc, rec, cause=recommended.id, at=opened_at)
    )
    person = await stores.people.get(nip) or {}
    status = recommendations.status_of(person, rec.recommendation_id)
    if status != "open":
        scheduled = person["recommendations"]
        return (
            None if status is None else scheduled.get(field_key(rec.recommendation_id), {}).get("program_id")
        )
    program = await _seat(person, nip, rec.competency, stores=stores, now=now)
    if program is None:
        return None
    event = envelope.wrap(
        events.RetrainingScheduled(
            recommendation_id=rec.recommendation_id, nip=nip, program_id=program["_id"]
        ),
        source=SOURCE,
        event_id=scheduled_id(rec.recommendation_id, nip),
        time=now,
    )
    await stores.people.apply(
        nip, None, lambda doc: recommendations.schedule_change(doc, rec.recommendation_id, program, event)
    )
    return str(program["_id"])


async def _seat(
    person: Document, nip: str, competency: str, *, stores: Stores, now: dt.datetime
) -> Document | None:
    """An upcoming programme in the competency: one they are enrolled on, else the soonest with room."""
    for enrolment in person.get("enrolments", {}).values():
        starts_at = enrolment.get("starts_at")
        if (
            enrolment["status"] == "enrolled"
            and enrolment.get("competency") == competency
            and starts_at is not None
            and starts_at > now
        ):
            program = await catalogue.get(stores.programs, enrolment["program_id"])
            if program is not None:
                return program
    for candidate in await catalogue.upcoming_with_room(stores.programs, competency, now, nip):
        try:
            program, _ = await catalogue.take_seat(stores.programs, candidate["_id"], nip)
        except catalogue.ProgramFullError:
            continue
        return program
    return None
