"""Evaluation use cases as async verbs: trainings, appraisals, answers, scheduling, quarter ends."""

from services.evaluation import decisions, satisfaction
from services.evaluation.repository import People, Tallies
from services.evaluation.rules import Rules
from shared import envelope, events


async def evaluate_training(
    completed: envelope.CloudEvent[events.TrainingCompleted], *, people: People, rules: Rules
) -> bool:
    nip = completed.data.nip
    return await people.update(
        nip, lambda person: decisions.on_training(person, completed, rules), event_id=completed.id
    )


async def record_appraisal(
    appraised: envelope.CloudEvent[events.PerformanceAppraised], *, people: People, rules: Rules
) -> bool:
    """Store the rating per period, publish it for other subscribers, apply the appraisal rules."""
    nip = appraised.data.nip
    return await people.update(
        nip, lambda person: decisions.on_appraisal(person, appraised, rules), event_id=appraised.id
    )


async def record_answer(
    submitted: envelope.CloudEvent[events.SurveySubmitted], *, people: People, rules: Rules
) -> bool:
    """A response naming a civil servant counts toward their adaptation rule in that period."""
    nip = submitted.data.served_by_nip
    if nip is None:
        return False
    return await people.update(
        nip, lambda person: decisions.on_answer(person, submitted, rules), event_id=submitted.id
    )


async def mark_scheduled(
    scheduled: envelope.CloudEvent[events.RetrainingScheduled], *, people: People
) -> bool:
    return await people.update(
        scheduled.data.nip, lambda person: decisions.on_scheduled(person, scheduled), event_id=scheduled.id
    )


async def close_quarter(nip: str, period: str, *, people: People, rules: Rules) -> None:
    """Quarter-end rules for one person: JP below the duty by the end of it, adaptation in it."""
    await people.update(nip, lambda person: decisions.at_quarter_end(person, nip, period, rules))


async def count_response(submitted: envelope.CloudEvent[events.SurveySubmitted], *, tallies: Tallies) -> bool:
    """Add one response to its shard; the shard's inbox makes a redelivery change nothing."""
    response = submitted.data
    return await tallies.update(
        satisfaction.shard_key(response.unit_id, response.period, submitted.id),
        lambda shard: satisfaction.counted(shard, response, submitted.id),
        event_id=submitted.id,
    )
