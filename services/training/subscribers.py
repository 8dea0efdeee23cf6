"""Training's subscription table."""

from typing import Any

from services.training import handlers
from shared import envelope, events
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, stores: handlers.Stores) -> None:
    async def on_retraining_recommended(message: envelope.CloudEvent[Any]) -> None:
        await handlers.recommend(message, stores=stores)

    runtime.consume(events.RetrainingRecommended, on_retraining_recommended)
