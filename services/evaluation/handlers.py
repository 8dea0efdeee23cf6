"""Evaluation use cases as async verbs: trainings, appraisals, answers, scheduling, quarter ends."""

import datetime as dt

from services.evaluation import decisions, satisfaction
from services.evaluation.repository import People, Tallies
from services.evaluation.rules import Rules
from shared import errors
from shared.contract import envelope, events


async def evaluate_training(
    completed: envelope.CloudEvent[events.TrainingCompleted], *, people: People, rules: Rules
) -> bool:
    nip = completed.data.nip
    return await people.update(
        nip, lambda person: decisions.on_training(person, completed, rules), event_id=completed.id
    )


async def record_appraisal(
    appraised: envelope.CloudEvent[events.PerformanceAppraised],
    *,
    people: People,
    rules: Rules,
    now: dt.datetime,
) -> bool:
    """Store the rating per period, publish it for other subscribers, apply the appraisal rules.

    A period that has not started (in the programme calendar) is refused: InvalidError (422).
    """
    check_started(appraised.data.period, now=now, rules=rules)
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


def check_started(period: str, *, now: dt.datetime, rules: Rules) -> None:
    """InvalidError (422) when `period` has not started at `now` in the programme calendar."""
    start = rules.calendar.period_start(period)
    if now < start:
        msg = f"the period {period} has not started (it starts {start.isoformat()})"
        raise errors.InvalidError(msg)


def check_quarter_ended(period: str, *, now: dt.datetime, rules: Rules) -> None:
    """A quarter-end run needs the quarter over: 422 if it has not started, 409 if under way."""
    check_started(period, now=now, rules=rules)
    end = rules.calendar.quarter_end(period)
    if now < end:
        msg = f"the quarter {period} has not ended (it ends {end.isoformat()})"
        raise errors.ConflictError(msg)


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
