"""Composition root of the training service."""

from fastapi import FastAPI

from services.training import metrics, model, routes, subscribers
from services.training.model import programmes as catalogue
from services.training.repository import Repositories
from services.training.repository.mongo import (
    MongoGroups,
    MongoMonths,
    MongoPeople,
    MongoProgrammes,
    MongoRecords,
    MongoUnits,
)
from services.training.settings import TrainingSettings
from shared.runtime import Runtime


def create_app(settings: TrainingSettings) -> FastAPI:
    runtime = Runtime("training", settings)
    runtime.produces += model.PUBLISHES
    programmes = MongoProgrammes(runtime.aggregates("programs"))
    records = MongoRecords(runtime.aggregates("records", hot=True))
    people = MongoPeople(runtime.aggregates("people"))
    repos = Repositories(
        programmes=programmes,
        people=people,
        units=MongoUnits(runtime.aggregates("units")),
        records=records,
        months=MongoMonths(runtime.aggregates("statements")),
        groups=MongoGroups(runtime.aggregates("groups")),
    )
    runtime.on_start += [programmes.create_indexes, records.create_indexes, people.create_indexes]
    allowed = catalogue.competencies(settings.extra_competencies)
    runtime.background.append(metrics.DemandGauge(repos, settings, allowed).run)
    subscribers.subscribe(runtime, repos=repos)
    routers = routes.build_routes(auth=runtime.auth, units=runtime.units, repos=repos, settings=settings)
    return runtime.app(title="Mutu training", routers=routers)
