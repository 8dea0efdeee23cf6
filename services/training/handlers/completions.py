"""Record a completion: stored and published once per event id; the person's record and unit follow."""

from services.training.model import people, records
from services.training.repository import Repositories
from shared.contract import envelope, events
from shared.contract.calendar import Calendar


async def record_completion(
    completed: envelope.CloudEvent[events.TrainingCompleted],
    *,
    repos: Repositories,
    calendar: Calendar = records.PROGRAMME,
) -> bool:
    """Store a completion and publish it, both once per event id, in its programme year.

    The completion, its inbox mark and its outbox entry are one update of the (person, year)
    record. The person's record is updated after it, idempotently, also for a repeated event,
    so a crash between the two heals on the retry.
    """
    done = completed.data
    key = records.record_key(done.nip, records.year_of(done, calendar))
    fresh = await repos.records.update(
        key, lambda r: records.recorded(r, completed, calendar), event_id=completed.id
    )
    await repos.people.update(done.nip, lambda person: people.after_completion(person, done))
    await repos.units.join(done.unit_id, done.nip)
    return fresh
