"""Composition root of the training service."""

from fastapi import FastAPI

from services.training import handlers, routes, subscribers
from services.training.settings import TrainingSettings
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def create_app(settings: TrainingSettings) -> FastAPI:
    runtime = Runtime("training", settings)
    stores = handlers.Stores(
        programs=Aggregates(runtime.store.collection("programs"), runtime.relay),
        people=Aggregates(runtime.store.collection("people"), runtime.relay),
        groups=Aggregates(runtime.store.collection("groups"), runtime.relay),
        units=Aggregates(runtime.store.collection("units"), runtime.relay),
    )

    async def indexes() -> None:
        await stores.programs.collection.create_index([("competency", 1), ("starts_at", 1)])

    runtime.on_start.append(indexes)
    subscribers.subscribe(runtime, stores=stores)
    return runtime.app(title="Mutu training", routers=routes.build_routes(auth=runtime.auth, stores=stores))
