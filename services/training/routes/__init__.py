"""Training HTTP routes: completions as CloudEvents, catalogue, enrolments, groups, xAPI, people, planning."""

from fastapi import APIRouter

from services.training.handlers import completions
from services.training.model import programmes
from services.training.repository import Repositories
from services.training.routes import catalogue, groups, people, planning, xapi
from services.training.settings import TrainingSettings
from shared import web
from shared.contract import envelope, events
from shared.contract.units import Units


def build_routes(
    *, auth: web.Auth, units: Units, repos: Repositories, settings: TrainingSettings
) -> list[APIRouter]:
    allowed = programmes.competencies(settings.extra_competencies)

    async def completed(event: envelope.CloudEvent[events.TrainingCompleted]) -> bool:
        programmes.check_competency(event.data.competency, allowed, ("body", "data", "competency"))
        return await completions.record_completion(event, repos=repos, calendar=settings.calendar)

    return [
        web.event_intake(auth, web.Intake(units).on(events.TrainingCompleted, completed)),
        catalogue.build(auth=auth, repos=repos, settings=settings, allowed=allowed),
        catalogue.enrolments(auth=auth, units=units, repos=repos),
        groups.build(auth=auth, units=units, repos=repos, settings=settings),
        xapi.build(auth=auth, repos=repos, settings=settings),
        people.build(auth=auth, units=units, repos=repos, settings=settings),
        planning.build(auth=auth, repos=repos, settings=settings),
    ]
