"""Rewards' subscription table."""

from typing import Any

from services.rewards import handlers
from shared import envelope, events
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, accounts: Aggregates) -> None:
    async def on_reward_triggered(message: envelope.CloudEvent[Any]) -> None:
        await handlers.grant_points(message, accounts=accounts)

    runtime.consume(events.RewardTriggered, on_reward_triggered)
