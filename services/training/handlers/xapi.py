"""An LMS's xAPI statements: completing verbs become TrainingCompleted, other verbs are kept."""

import asyncio
import datetime as dt
from collections import Counter

from pydantic import ValidationError

from services.training.handlers.completions import record_completion
from services.training.model import SOURCE, programmes, statements
from services.training.model.programmes import Assessment
from services.training.model.xapi import UNIT_EXTENSION, Problem, Statement, UnmappableBatchError, problem
from services.training.repository import Repositories
from shared.contract import envelope, events

Numbered = list[tuple[int, Statement]]


async def take_statements(
    batch: Numbered, problems: list[Problem], *, repos: Repositories, now: dt.datetime
) -> None:
    """Take the batch whole or not at all: UnmappableBatchError (every reason) or KeptFullError."""
    completions, more = await _completions(batch, repos=repos, now=now)
    if problems or more:  # a refused batch changes nothing
        raise UnmappableBatchError(problems + more)
    others = [s for _, s in batch if s.result is None]
    wanted = Counter(statements.month_key(s, now) for s in others)
    statements.room_for(await repos.months.counts(wanted), wanted)  # before any write
    await asyncio.gather(
        *(record_completion(event, repos=repos) for event in completions),
        *(_keep(s, repos=repos, now=now) for s in others),
    )


async def _completions(
    batch: Numbered, *, repos: Repositories, now: dt.datetime
) -> tuple[list[envelope.CloudEvent[events.TrainingCompleted]], list[Problem]]:
    """TrainingCompleted for each completing statement: JP, competency and method from the catalogue."""
    completing = [(i, s, s.result) for i, s in batch if s.result is not None]
    found = await repos.programmes.by_ids(r.program_id for _, _, r in completing)
    units = await repos.people.units_of(s.nip for _, s, _ in completing if s.unit_id is None)
    taken, problems = [], []
    for index, statement, result in completing:
        programme = found.get(result.program_id)
        unit_id = statement.unit_id or units.get(statement.nip)
        if programme is None:
            problems.append(problem(index, ("object", "id"), "the programme is not in the catalogue"))
        elif unit_id is None:
            reason = f"unknown unit: enrol the person first or send context.extensions {UNIT_EXTENSION}"
            problems.append(problem(index, ("context", "extensions"), reason))
        else:
            outcome = Assessment(score=result.score, passed=result.passed)
            try:
                done = programmes.completion_for(
                    programme, statement.nip, unit_id, outcome, completed_at=statement.timestamp or now
                )
            except ValidationError as error:
                problems += [problem(index, ("timestamp",), e["msg"]) for e in error.errors()]
                continue
            taken.append(envelope.wrap(done, source=SOURCE, event_id=statement.id, time=done.completed_at))
    return taken, problems


async def _keep(statement: Statement, *, repos: Repositories, now: dt.datetime) -> None:
    """Other verbs are kept, once per statement id, per person and month; they publish nothing."""
    await repos.months.update(
        statements.month_key(statement, now),
        lambda month: statements.kept(month, statement, now),
        event_id=statement.id,
    )
