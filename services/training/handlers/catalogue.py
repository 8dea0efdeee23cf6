"""Catalogue use cases: add and change programmes, take and give back seats."""

import datetime as dt

from services.training.handlers import retraining
from services.training.model import people, programmes
from services.training.model.programmes import Program, Programme, ProgramPatch
from services.training.repository import Repositories
from shared.persistence.state_store import Outcome


async def create_programme(
    program: Program, *, repos: Repositories, now: dt.datetime | None = None
) -> tuple[Programme, bool]:
    """Add a programme; False when the very same programme exists (a retried POST).

    Open recommendations of its competency are scheduled on it (also on a retry: it heals).
    """
    created = False

    def decide(state: Programme) -> Outcome[Programme] | None:
        nonlocal created
        outcome = programmes.created(state, program)
        created = outcome is not None
        return outcome

    await repos.programmes.update(program.program_id, decide)
    await retraining.fill_seats(program.competency, repos=repos, now=now)
    return await shown(program.program_id, repos=repos), created


async def patch_programme(
    program_id: str, changes: ProgramPatch, *, repos: Repositories, now: dt.datetime | None = None
) -> Programme:
    """Change catalogue fields (ValidationError when the merged programme is not valid).

    Room it now has (capacity raised, a new date or competency) goes to open recommendations.
    """
    await repos.programmes.update(program_id, lambda state: programmes.patched(state, changes))
    await retraining.fill_seats((await shown(program_id, repos=repos)).competency, repos=repos, now=now)
    return await shown(program_id, repos=repos)


async def shown(program_id: str, *, repos: Repositories) -> Programme:
    found = await repos.programmes.get(program_id)
    if found is None:
        raise programmes.UnknownProgramError
    return found


async def enrol(
    program_id: str, nip: str, unit_id: str | None, *, repos: Repositories, now: dt.datetime | None = None
) -> bool:
    """Take a seat and note the enrolment; False when the person was enrolled already.

    Raises UnknownProgramError or ProgramFullError.
    """
    at = now or dt.datetime.now(dt.UTC)
    programme, fresh = await repos.programmes.take_seat(program_id, nip)
    await repos.people.update(nip, lambda person: people.enrolled(person, programme, unit_id, at=at))
    if unit_id:
        await repos.units.join(unit_id, nip)
    return fresh


async def withdraw(program_id: str, nip: str, *, repos: Repositories, now: dt.datetime | None = None) -> bool:
    """Give the seat back; False when the person held none on that programme.

    A recommendation scheduled on it is open again (RetrainingWithdrawn), and the freed seat goes
    to the open recommendations of the programme's competency (not back to the same person).
    """
    at = now or dt.datetime.now(dt.UTC)
    released = await repos.programmes.release_seat(program_id, nip)
    await repos.people.update(nip, lambda person: people.withdrawn(person, nip, program_id, at=at))
    programme = await repos.programmes.get(program_id)
    if released and programme is not None:
        await retraining.fill_seats(programme.competency, repos=repos, now=at)
    return released


async def holders(program_id: str, *, repos: Repositories) -> list[str]:
    found = await repos.programmes.seat_holders(program_id)
    if found is None:
        raise programmes.UnknownProgramError
    return found
