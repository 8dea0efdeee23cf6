"""Composition root of the rewards service."""

from fastapi import FastAPI

from services.rewards import handlers, routes, subscribers
from services.rewards.settings import RewardsSettings
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def create_app(settings: RewardsSettings) -> FastAPI:
    runtime = Runtime("rewards", settings)
    ledgers = handlers.Ledgers(
        Aggregates(runtime.store.collection("accounts"), runtime.relay),
        Aggregates(runtime.store.collection("ledger_pages"), runtime.relay),
    )

    async def indexes() -> None:
        await ledgers.accounts.collection.create_index("unit_id")
        await ledgers.pages.collection.create_index("nip")

    runtime.on_start.append(indexes)
    subscribers.subscribe(runtime, ledgers=ledgers)
    return runtime.app(title="Mutu rewards", routers=routes.build_routes(auth=runtime.auth, ledgers=ledgers))
