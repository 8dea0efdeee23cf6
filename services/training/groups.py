"""Project-based groups: 2-8 people on a real project; the assessment completes it for each member."""

import asyncio
import datetime as dt
from typing import Any

from services.training import catalogue, model
from services.training.handlers import SOURCE, Stores, record_completion
from shared import envelope
from shared.aggregates import Change
from shared.identifiers import derived_id
from shared.storage import Document


class NotProjectBasedError(ValueError):
    """Groups belong to project_based programmes only."""


class GroupConflictError(ValueError):
    """A different group, or a different assessment, is already recorded under that id."""


async def create(group: model.ProjectGroup, *, stores: Stores) -> bool:
    """Record the group; False when the very same group exists already (a retried POST)."""
    program = await catalogue.get(stores.programs, group.program_id)
    if program is None:
        raise catalogue.UnknownProgramError(group.program_id)
    if program["method"] != "project_based":
        raise NotProjectBasedError(group.program_id)
    fields = {
        "program_id": group.program_id,
        "unit_id": group.unit_id,
        "brief": group.brief,
        "members": [{"nip": nip, "unit_id": unit} for nip, unit in group.explicit_units().items()],
    }
    created = False

    def decide(doc: Document) -> Change | None:
        nonlocal created
        if doc:
            if {k: doc.get(k) for k in fields} != fields:
                raise GroupConflictError(group.group_id)
            return None
        created = True
        return Change(set=fields)

    await stores.groups.apply(group.group_id, None, decide)
    return created


def view(doc: Document) -> dict[str, Any]:
    shown = ("program_id", "unit_id", "brief", "members", "assessment")
    return {"group_id": doc["_id"], **{k: doc[k] for k in shown if k in doc}}


def completion_id(group_id: str, nip: str) -> str:
    """Deterministic: a retried assessment publishes the same event ids."""
    return derived_id("group-completion", group_id, nip)


async def assess(group_id: str, assessment: model.Assessment, *, stores: Stores) -> list[str]:
    """Record the assessment once, then one TrainingCompleted per member (ids derived, so retries dedupe)."""
    group = await stores.groups.get(group_id)
    if group is None:
        raise LookupError(group_id)
    program = await catalogue.get(stores.programs, group["program_id"])
    if program is None:
        raise catalogue.UnknownProgramError(group["program_id"])
    units = await _member_units(group, stores=stores)
    wanted = {
        "score": assessment.score,
        "passed": assessment.passed,
        "completed_at": (assessment.completed_at or dt.datetime.now(dt.UTC)).isoformat(),
        "units": units,
    }

    def decide(doc: Document) -> Change | None:
        known = doc.get("assessment")
        if known is None:
            return Change(set={"assessment": wanted})
        if (known["score"], known["passed"]) != (assessment.score, assessment.passed):
            raise GroupConflictError(group_id)
        return None

    await stores.groups.apply(group_id, None, decide)
    recorded = (await stores.groups.get(group_id) or {})["assessment"]
    outcome = model.Assessment(score=recorded["score"], passed=recorded["passed"])
    at = dt.datetime.fromisoformat(recorded["completed_at"])  # kept as text: the offset survives
    completions = [
        envelope.wrap(
            model.completion_for(program, nip, unit, outcome, completed_at=at, group_id=group_id),
            source=SOURCE,
            event_id=completion_id(group_id, nip),
            time=at,
        )
        for nip, unit in recorded["units"].items()
    ]
    await asyncio.gather(*(record_completion(event, stores=stores) for event in completions))
    return [event.id for event in completions]


async def _member_units(group: Document, *, stores: Stores) -> dict[str, str]:
    """Each member's unit: as named in the group, else the person's known unit, else the group's."""
    nips = [m["nip"] for m in group["members"]]
    known = {
        doc["_id"]: doc.get("unit_id")
        async for doc in stores.people.collection.find({"_id": {"$in": nips}}, {"unit_id": 1})
    }
    return {m["nip"]: m["unit_id"] or known.get(m["nip"]) or group["unit_id"] for m in group["members"]}
