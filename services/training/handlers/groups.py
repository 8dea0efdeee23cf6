"""Project-group use cases: form a group, record its assessment (one completion per member)."""

import asyncio
import datetime as dt

from services.training.handlers.completions import record_completion
from services.training.model import SOURCE, groups, programmes
from services.training.model.groups import Group, ProjectGroup, RecordedAssessment
from services.training.model.programmes import Assessment
from services.training.repository import Repositories
from shared.contract import envelope
from shared.persistence.state_store import Outcome

NO_GROUP_OR_PROGRAMME = "no such group or programme"


async def create_group(request: ProjectGroup, *, repos: Repositories) -> tuple[Group, bool]:
    """Record the group; False when the very same group exists already (a retried POST).

    Raises UnknownProgramError, NotProjectBasedError or GroupExistsError.
    """
    programme = await repos.programmes.get(request.program_id)
    if programme is None:
        raise programmes.UnknownProgramError
    if programme.method != "project_based":
        raise groups.NotProjectBasedError
    created = False

    def decide(group: Group) -> Outcome[Group] | None:
        nonlocal created
        outcome = groups.formed(group, request)
        created = outcome is not None
        return outcome

    await repos.groups.update(request.group_id, decide)
    return await shown(request.group_id, repos=repos), created


async def shown(group_id: str, *, repos: Repositories) -> Group:
    found = await repos.groups.get(group_id)
    if found is None:
        raise groups.UnknownGroupError
    return found


async def assess(group_id: str, assessment: Assessment, *, repos: Repositories) -> list[str]:
    """Record the assessment once, then one TrainingCompleted per member (ids derived, so retries dedupe)."""
    group = await repos.groups.get(group_id)
    programme = None if group is None else await repos.programmes.get(str(group.program_id))
    if group is None or programme is None:
        raise groups.UnknownGroupError(NO_GROUP_OR_PROGRAMME)
    known = await repos.people.units_of(m.nip for m in group.members)
    wanted = RecordedAssessment(
        score=assessment.score,
        passed=assessment.passed,
        completed_at=(assessment.completed_at or dt.datetime.now(dt.UTC)).isoformat(),
        units=groups.member_units(group, known),
    )
    await repos.groups.update(group_id, lambda state: groups.assessed(state, wanted))
    recorded = (await shown(group_id, repos=repos)).assessment
    if recorded is None:
        raise groups.UnknownGroupError(NO_GROUP_OR_PROGRAMME)
    completions = [
        envelope.wrap(
            programmes.completion_for(
                programme, nip, unit, recorded.outcome, completed_at=recorded.at, group_id=group_id
            ),
            source=SOURCE,
            event_id=groups.completion_id(group_id, nip),
            time=recorded.at,
        )
        for nip, unit in recorded.units.items()
    ]
    await asyncio.gather(*(record_completion(event, repos=repos) for event in completions))
    return [event.id for event in completions]
