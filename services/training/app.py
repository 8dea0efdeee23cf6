"""Composition root of the training service."""

from fastapi import FastAPI

from services.training import handlers, routes, subscribers
from services.training.settings import TrainingSettings
from shared import events
from shared.runtime import Runtime

COLLECTIONS = ("programs", "people", "records", "statements", "groups", "units")


def create_app(settings: TrainingSettings) -> FastAPI:
    runtime = Runtime("training", settings)
    runtime.produces += [events.TrainingCompleted, events.RetrainingScheduled]
    stores = handlers.Stores(**{name: runtime.aggregates(name) for name in COLLECTIONS})

    async def indexes() -> None:
        await stores.programs.collection.create_index([("competency", 1), ("starts_at", 1)])
        await stores.records.collection.create_index([("nip", 1)])

    runtime.on_start.append(indexes)
    subscribers.subscribe(runtime, stores=stores)
    routers = routes.build_routes(auth=runtime.auth, units=runtime.units, stores=stores, settings=settings)
    return runtime.app(title="Mutu training", routers=routers)
