"""Composition root of the rewards service."""

from fastapi import FastAPI

from services.rewards import handlers, routes, subscribers
from services.rewards.settings import RewardsSettings
from shared import events
from shared.runtime import Runtime


def create_app(settings: RewardsSettings) -> FastAPI:
    runtime = Runtime("rewards", settings)
    runtime.produces += [events.RewardPointsGranted, events.RewardRedeemed]
    ledgers = handlers.Ledgers(
        runtime.aggregates("accounts"),
        runtime.store.collection("ledger_pages"),
        runtime.aggregates("leaderboards"),
    )
    runtime.on_start.append(ledgers.create_indexes)
    subscribers.subscribe(runtime, ledgers=ledgers)
    return runtime.app(title="Mutu rewards", routers=routes.build_routes(auth=runtime.auth, ledgers=ledgers))
