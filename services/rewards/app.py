"""Composition root of the rewards service."""

from fastapi import FastAPI

from services.rewards import routes, subscribers
from services.rewards.settings import RewardsSettings
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def create_app(settings: RewardsSettings) -> FastAPI:
    runtime = Runtime("rewards", settings)
    accounts = Aggregates(runtime.store.collection("accounts"), runtime.relay)
    subscribers.subscribe(runtime, accounts=accounts)
    return runtime.app(
        title="Mutu rewards", routers=routes.build_routes(auth=runtime.auth, accounts=accounts)
    )
