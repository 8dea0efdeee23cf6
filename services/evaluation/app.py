"""Composition root of the evaluation service."""

from fastapi import FastAPI

from services.evaluation import model, routes, subscribers
from services.evaluation.settings import EvaluationSettings
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def create_app(settings: EvaluationSettings) -> FastAPI:
    runtime = Runtime("evaluation", settings)
    people = Aggregates(runtime.store.collection("people"), runtime.relay)
    subscribers.subscribe(runtime, people=people, rules=model.TrainingRules())
    return runtime.app(title="Mutu evaluation", routers=routes.build_routes(auth=runtime.auth, people=people))
