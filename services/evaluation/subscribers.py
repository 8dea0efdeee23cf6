"""Evaluation's subscription table: which events it consumes and the handler each one calls."""

from services.evaluation import handlers
from services.evaluation.repository import People, Tallies
from services.evaluation.rules import Rules
from services.evaluation.unit_rule import UnitRule
from shared.contract import envelope, events
from shared.runtime import Runtime


def subscribe(
    runtime: Runtime, *, people: People, tallies: Tallies, unit_rule: UnitRule, rules: Rules
) -> None:
    async def on_training_completed(message: envelope.CloudEvent[events.TrainingCompleted]) -> None:
        await handlers.evaluate_training(message, people=people, rules=rules)

    async def on_survey_submitted(message: envelope.CloudEvent[events.SurveySubmitted]) -> None:
        await handlers.count_response(message, tallies=tallies)
        await handlers.record_answer(message, people=people, rules=rules)
        unit_rule.soon(message.data.unit_id, message.data.period)

    async def on_retraining_scheduled(message: envelope.CloudEvent[events.RetrainingScheduled]) -> None:
        await handlers.mark_scheduled(message, people=people)

    runtime.consume(events.TrainingCompleted, on_training_completed)
    runtime.consume(events.SurveySubmitted, on_survey_submitted)
    runtime.consume(events.RetrainingScheduled, on_retraining_scheduled)
