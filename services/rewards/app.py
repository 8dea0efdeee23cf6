"""Composition root of the rewards service."""

from fastapi import FastAPI

from services.rewards import model, routes, subscribers
from services.rewards.repository import MongoAccounts, MongoBoards, MongoLedgerPages
from services.rewards.settings import RewardsSettings
from shared.runtime import Runtime


def create_app(settings: RewardsSettings) -> FastAPI:
    runtime = Runtime("rewards", settings)
    runtime.produces += model.PUBLISHES
    accounts = MongoAccounts(runtime.aggregates("accounts", hot=True))
    pages = MongoLedgerPages(runtime.store)
    boards = MongoBoards(runtime.aggregates("leaderboards"))
    runtime.on_start.append(pages.create_indexes)
    subscribers.subscribe(runtime, accounts=accounts, pages=pages, boards=boards)
    routers = routes.build_routes(
        auth=runtime.auth, accounts=accounts, pages=pages, boards=boards, calendar=settings.calendar
    )
    return runtime.app(title="Mutu rewards", routers=routers)
