"""Composition root of the training service."""

from fastapi import FastAPI

from services.training import routes
from services.training.settings import TrainingSettings
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def create_app(settings: TrainingSettings) -> FastAPI:
    runtime = Runtime("training", settings)
    people = Aggregates(runtime.store.collection("people"), runtime.relay)
    return runtime.app(title="Mutu training", routers=routes.build_routes(auth=runtime.auth, people=people))
