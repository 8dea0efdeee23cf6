"""Training's subscription table: RetrainingRecommended opens (and schedules) recommendations."""

from typing import Any

from services.training import retraining
from services.training.handlers import Stores
from shared import envelope, events
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, stores: Stores) -> None:
    async def on_retraining_recommended(message: envelope.CloudEvent[Any]) -> None:
        await retraining.recommend(message, stores=stores)

    runtime.consume(events.RetrainingRecommended, on_retraining_recommended)
