"""Rewards' subscription table: RewardTriggered books points."""

import functools

from services.rewards import handlers
from services.rewards.repository import Accounts, Boards, LedgerPages
from shared.contract import events
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, accounts: Accounts, pages: LedgerPages, boards: Boards) -> None:
    runtime.consume(
        events.RewardTriggered,
        functools.partial(
            handlers.grant_points,
            accounts=accounts,
            pages=pages,
            boards=boards,
            calendar=runtime.settings.calendar,
        ),
    )
