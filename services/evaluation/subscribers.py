"""Evaluation's subscription table: which events it consumes and the handler each one calls."""

from typing import Any

from services.evaluation import handlers, model
from shared import envelope, events
from shared.aggregates import Aggregates
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, people: Aggregates, rules: model.TrainingRules) -> None:
    async def on_training_completed(message: envelope.CloudEvent[Any]) -> None:
        await handlers.evaluate_training(message, people=people, rules=rules)

    runtime.consume(events.TrainingCompleted, on_training_completed)
