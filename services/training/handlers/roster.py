"""The roster (training owns people): put a person on it, and a unit's members as managers see them."""

import datetime as dt

from services.training.handlers import retraining
from services.training.model import people, roster, views
from services.training.model.people import Person
from services.training.model.roster import RosterEntry
from services.training.repository import Repositories
from shared.contract.calendar import Calendar

MEMBERS_READ = 200  # NIPs per bulk read of a unit's members


async def put_on_roster(
    nip: str, entry: RosterEntry, *, repos: Repositories, now: dt.datetime | None = None
) -> Person:
    """Record the roster entry (RosterChanged once per change); the unit indexes follow.

    The person's record is the truth; the units' roster indexes are updated after it, also when the
    entry is unchanged, so a crash between the two heals on the retry.
    """
    at = now or dt.datetime.now(dt.UTC)
    before = await repos.people.get(nip)
    await repos.people.update(nip, lambda person: people.rostered(person, nip, entry, at=at))
    after = await repos.people.get(nip) or Person()
    left = {before.roster.unit_id} if before and before.roster else set()
    if after.roster is not None:
        left.discard(after.roster.unit_id)
        member = after.roster.active
        await repos.units.update(
            after.roster.unit_id, lambda unit: roster.on_roster(unit, nip, member=member)
        )
    for old in left:
        await repos.units.update(old, lambda unit: roster.on_roster(unit, nip, member=False))
    if after.roster is not None and after.roster.active:
        await _catch_up(nip, after.roster.unit_id, repos=repos, now=at)
    return after


async def _catch_up(nip: str, unit_id: str, *, repos: Repositories, now: dt.datetime) -> None:
    """A member gets the unit's recommendations evaluation has not resolved (once each)."""
    unit = await repos.units.get(unit_id)
    for recommended in unit.pending() if unit else []:
        await retraining.open_and_schedule(nip, recommended, repos=repos, now=now)


async def unit_members(
    unit_id: str, *, repos: Repositories, calendar: Calendar, now: dt.datetime | None = None
) -> list[views.MemberView]:
    """Each active roster member: JP passed this programme year, open recommendations, last training."""
    year = calendar.year_of(now or dt.datetime.now(dt.UTC))
    unit = await repos.units.get(unit_id)
    nips = sorted(unit.roster.values()) if unit else []
    shown = []
    for start in range(0, len(nips), MEMBERS_READ):  # a few bulk reads, not two round trips a member
        batch = nips[start : start + MEMBERS_READ]
        people, records = await repos.people.many(batch), await repos.records.of_people(batch)
        for nip in batch:
            person = people.get(nip)
            if person is None or person.roster is None or not person.member_of(unit_id):
                continue
            shown.append(views.member(nip, person.roster, person, records.get(nip, []), year=year))
    return shown


async def jp_by_unit(
    *, repos: Repositories, calendar: Calendar, now: dt.datetime | None = None
) -> dict[str, list[views.MemberView]]:
    """Every unit with a roster: its active members as `unit_members` shows them."""
    return {
        unit_id: await unit_members(unit_id, repos=repos, calendar=calendar, now=now)
        for unit_id in await repos.units.with_roster()
    }
