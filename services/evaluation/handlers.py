"""Evaluation use cases as async verbs: trainings, appraisals, answers, seats, closed quarters."""

import asyncio
import datetime as dt
from typing import Any

from services.evaluation import appraisals, decisions, effectiveness, forum_signals, ikm, satisfaction
from services.evaluation.closing import Closures
from services.evaluation.forum_rule import ForumRule
from services.evaluation.model import Person
from services.evaluation.repository import People, Tallies, UnitQuarters
from services.evaluation.rules import Rules
from services.evaluation.unit_rule import UnitRule
from shared import errors
from shared.contract import envelope, events
from shared.contract.calendar import semester_quarters
from shared.contract.identifiers import field_key

RUN_BATCH = 64
_NOBODY = Person()


async def _closed_through(closures: Closures | None) -> str | None:
    return None if closures is None else await closures.closed_through()


async def evaluate_training(
    completed: envelope.CloudEvent[events.TrainingCompleted],
    *,
    people: People,
    rules: Rules,
    closures: Closures | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Training rules at once; a completion in a closed quarter re-judges its period rules."""
    nip, closed = completed.data.nip, await _closed_through(closures)
    return await people.update(
        nip,
        lambda person: decisions.on_training(person, completed, rules, closed_through=closed, now=now),
        event_id=completed.id,
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
    check_started(appraised.data.period, now=now, rules=rules, loc=("body", "data", "period"))
    nip = appraised.data.nip
    return await people.update(
        nip, lambda person: appraisals.on_appraisal(person, appraised, rules), event_id=appraised.id
    )


async def record_answer(
    submitted: envelope.CloudEvent[events.SurveySubmitted],
    *,
    people: People,
    rules: Rules,
    closures: Closures | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """A verified answer naming a civil servant counts toward their adaptation rule.

    Survey guarantees that an answer naming `served_by_nip` is verified (a ticket, or a keyed
    integrator). An answer for a closed quarter is late data: adaptation is judged again.
    """
    nip = submitted.data.served_by_nip
    if nip is None:
        return False
    closed = await _closed_through(closures)
    return await people.update(
        nip,
        lambda person: decisions.on_answer(person, submitted, rules, closed_through=closed, now=now),
        event_id=submitted.id,
    )


async def mark_seat(
    seat: envelope.CloudEvent[events.RetrainingScheduled] | envelope.CloudEvent[events.RetrainingWithdrawn],
    *,
    people: People,
    quarters: UnitQuarters,
    now: dt.datetime,
) -> bool:
    """A seat taken (scheduled) or given up (back to open) for a person's or a unit's recommendation."""
    data, taken = seat.data, isinstance(seat.data, events.RetrainingScheduled)
    key = field_key(data.recommendation_id)
    holder = (
        data.nip if key in ((await people.get(data.nip)) or _NOBODY).firings else await people.holding(key)
    )
    if holder is not None:
        return await people.update(
            holder,
            lambda person: decisions.on_seat(
                person, data.recommendation_id, data.nip, data.program_id, taken=taken, now=now
            ),
            event_id=seat.id,
        )
    unit_quarter = await quarters.holding(key)
    if unit_quarter is None:
        return False
    return await quarters.update(
        unit_quarter,
        lambda quarter: satisfaction.unit_seat(
            quarter, data.recommendation_id, data.nip, data.program_id, taken=taken, now=now
        ),
    )


def check_started(
    period: str, *, now: dt.datetime, rules: Rules, loc: tuple[str, ...] = ("query", "period")
) -> None:
    """InvalidError (422, `detail` a list of reasons at `loc`) when `period` has not started at `now`."""
    start = rules.calendar.period_start(period)
    if now < start:
        msg = f"the period {period} has not started (it starts {start.isoformat()})"
        raise errors.InvalidError(msg, reasons=[{"loc": list(loc), "msg": msg, "type": "future_period"}])


def check_quarter_ended(period: str, *, now: dt.datetime, rules: Rules) -> None:
    """A quarter-end run needs the quarter over: 422 if it has not started, 409 if under way."""
    check_started(period, now=now, rules=rules)
    end = rules.calendar.quarter_end(period)
    if now < end:
        msg = f"the quarter {period} has not ended (it ends {end.isoformat()})"
        raise errors.ConflictError(msg)


async def close_quarter(
    nip: str, period: str, *, people: People, rules: Rules, now: dt.datetime | None = None
) -> None:
    """A closed quarter's rules for one person: JP below the pace by its end, adaptation."""
    await people.update(nip, lambda person: decisions.at_quarter_end(person, nip, period, rules, now=now))


async def judge_quarter(
    period: str,
    now: dt.datetime,
    *,
    people: People,
    unit_rule: UnitRule,
    rules: Rules,
    forum_rule: ForumRule | None = None,
) -> dict[str, Any]:
    """The period rules on a closed quarter, for every known person and unit (idempotent)."""
    nips = [nip async for nip in people.nips()]
    for start in range(0, len(nips), RUN_BATCH):  # concurrent calls share group commits
        batch = nips[start : start + RUN_BATCH]
        await asyncio.gather(*(close_quarter(n, period, people=people, rules=rules, now=now) for n in batch))
    units = set(await unit_rule.tallies(None, [period])) | set(
        await unit_rule.tallies(None, [q for q in semester_quarters(period) if q != period])
    )
    fired = sum([await unit_rule.evaluate(unit, period, now) for unit in sorted(units)])
    resolved = await unit_rule.follow_up(None, now)
    judged = {
        "period": period,
        "people": len(nips),
        "units": len(units),
        "unit_recommendations": fired,
        "unit_recommendations_resolved": resolved,
    }
    if forum_rule is not None:
        forum_units = await forum_rule.units_with_feedback(period)
        judged["forum_units"] = len(forum_units)
        judged["forum_recommendations"] = sum(
            [await forum_rule.evaluate(unit, period, now) for unit in forum_units]
        )
        judged["forum_recommendations_resolved"] = await forum_rule.follow_up(None, now)
    return judged


async def count_response(submitted: envelope.CloudEvent[events.SurveySubmitted], *, tallies: Tallies) -> bool:
    """Add one response to its shard; the shard's inbox makes a redelivery change nothing."""
    response = submitted.data
    return await tallies.update(
        satisfaction.shard_key(response.unit_id, response.period, submitted.id),
        lambda shard: satisfaction.counted(shard, response, submitted.id),
        event_id=submitted.id,
    )


async def record_attendance(held: envelope.CloudEvent[events.ForumHeld], *, people: People) -> int:
    """A forum on the record of each civil servant who attended it (once per forum); how many were new."""
    fresh = 0
    nips = held.data.attended_by
    for start in range(0, len(nips), RUN_BATCH):  # concurrent calls share group commits
        batch = nips[start : start + RUN_BATCH]
        done = await asyncio.gather(
            *(
                people.update(nip, lambda person: forum_signals.attended(person, held), event_id=held.id)
                for nip in batch
            )
        )
        fresh += sum(done)
    return fresh


async def programme_effectiveness(
    program_id: str,
    *,
    people: People,
    quarters: UnitQuarters,
    unit_rule: UnitRule,
    closures: Closures,
    rules: Rules,
) -> dict[str, Any]:
    """A programme's before/after for everyone who passed it, and the unit recommendations it served."""
    closed = await closures.closed_through()
    found = effectiveness.cohorts(await people.passers(program_id=program_id), rules.calendar)
    passes = found.get(program_id, [])
    body = effectiveness.measure(program_id, passes, closed, rules)
    cases = effectiveness.unit_cases(program_id, passes, await quarters.seated(program_id), closed)
    units = []
    for case in cases:
        unit_id, wanted = case.quarter.unit_id or "", [case.after_quarter] if case.after_quarter else []
        by_channel = (await unit_rule.tallies(unit_id, wanted)).get(unit_id, {}) if wanted else {}
        units.append(effectiveness.unit_row(case, by_channel, rules.unit))
    return body | {"closed_through": closed, "units": units}


async def ranked_effectiveness(
    period: str, *, people: People, closures: Closures, rules: Rules
) -> dict[str, Any]:
    """Programmes first passed in `period` (YYYY-Qn, YYYY-Sn or YYYY), ranked by the difference."""
    closed, wanted = await closures.closed_through(), ikm.quarters_of(period)
    found = effectiveness.cohorts(await people.passers(quarters=wanted), rules.calendar, wanted)
    rows = [effectiveness.measure(p, passes, closed, rules, period) for p, passes in found.items()]
    return {"period": period, "closed_through": closed, "programs": effectiveness.ranked(rows)}


async def reindex_passes(*, people: People, rules: Rules) -> int:
    """Records written before the pass index existed get it (once; idempotent)."""
    nips = [nip async for nip in people.unindexed()]
    for nip in nips:
        await people.update(nip, lambda person: decisions.reindexed(person, rules))
    return len(nips)
