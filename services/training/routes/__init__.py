"""Training HTTP routes: completions as CloudEvents, the catalogue, enrolments, groups, xAPI, people."""

from fastapi import APIRouter, HTTPException

from services.training.handlers import completions
from services.training.model import programmes
from services.training.repository import Repositories
from services.training.routes import catalogue, groups, people, xapi
from services.training.settings import TrainingSettings
from shared import envelope, events, web


def build_routes(*, auth: web.Auth, repos: Repositories, settings: TrainingSettings) -> list[APIRouter]:
    allowed = programmes.competencies(settings.extra_competencies)

    async def record(completed: envelope.CloudEvent[events.TrainingCompleted]) -> bool:
        code = completed.data.competency
        problem = programmes.competency_error(code, allowed, ("body", "data", "competency"))
        if problem:
            raise HTTPException(422, [problem])
        return await completions.record_completion(completed, repos=repos)

    async def accept(event: envelope.CloudEvent[events.Event]) -> bool:
        return await record(event)  # type: ignore[arg-type]  # the intake takes only this type

    return [
        web.event_intake(auth, [events.TrainingCompleted], accept),
        catalogue.build(auth=auth, repos=repos, settings=settings, allowed=allowed),
        catalogue.enrolments(auth=auth, repos=repos),
        groups.build(auth=auth, repos=repos),
        xapi.build(auth=auth, repos=repos),
        people.build(auth=auth, repos=repos, settings=settings),
    ]
