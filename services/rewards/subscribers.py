"""Rewards' subscription table."""

from typing import Any

from services.rewards import handlers
from shared import envelope, events
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, ledgers: handlers.Ledgers) -> None:
    async def on_reward_triggered(message: envelope.CloudEvent[Any]) -> None:
        await handlers.grant_points(message, ledgers=ledgers)

    runtime.consume(events.RewardTriggered, on_reward_triggered)
