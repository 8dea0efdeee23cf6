"""Training use cases as async verbs."""

from shared import envelope, events
from shared.aggregates import Aggregates, Change
from shared.storage import Document, field_key


async def record_completion(
    completed: envelope.CloudEvent[events.TrainingCompleted], *, people: Aggregates
) -> bool:
    """Store a completion on the person's record and publish it once; False if seen before."""
    done = completed.data

    def decide(_: Document) -> Change:
        entry = done.model_dump(mode="json") | {"event_id": completed.id}
        return Change(set={f"completions.{field_key(completed.id)}": entry}, publish=[completed])

    return await people.apply(done.nip, completed.id, decide)
