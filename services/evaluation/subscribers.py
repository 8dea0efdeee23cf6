"""Evaluation's subscription table: which events it consumes and the handler each one calls."""

from services.evaluation import handlers
from services.evaluation.closing import Closures
from services.evaluation.forum_rule import ForumRule
from services.evaluation.repository import People, Tallies, UnitQuarters
from services.evaluation.rules import Rules
from services.evaluation.unit_rule import UnitRule
from shared.contract import envelope, events
from shared.runtime import Runtime


def subscribe(
    runtime: Runtime,
    *,
    people: People,
    tallies: Tallies,
    quarters: UnitQuarters,
    unit_rule: UnitRule,
    forum_rule: ForumRule,
    closures: Closures,
    rules: Rules,
) -> None:
    async def on_training_completed(message: envelope.CloudEvent[events.TrainingCompleted]) -> None:
        await handlers.evaluate_training(
            message, people=people, rules=rules, closures=closures, now=closures.clock()
        )

    async def on_survey_submitted(message: envelope.CloudEvent[events.SurveySubmitted]) -> None:
        await handlers.count_response(message, tallies=tallies)
        await handlers.record_answer(
            message, people=people, rules=rules, closures=closures, now=closures.clock()
        )
        if await closures.is_closed(message.data.period):  # late data: the closed quarter judged again
            unit_rule.soon(message.data.unit_id, message.data.period)

    async def on_retraining_scheduled(message: envelope.CloudEvent[events.RetrainingScheduled]) -> None:
        await handlers.mark_seat(message, people=people, quarters=quarters, now=closures.clock())

    async def on_retraining_withdrawn(message: envelope.CloudEvent[events.RetrainingWithdrawn]) -> None:
        await handlers.mark_seat(message, people=people, quarters=quarters, now=closures.clock())

    async def on_feedback_received(message: envelope.CloudEvent[events.FeedbackReceived]) -> None:
        await forum_rule.record(message)

    async def on_forum_held(message: envelope.CloudEvent[events.ForumHeld]) -> None:
        await handlers.record_attendance(message, people=people)

    runtime.consume(events.TrainingCompleted, on_training_completed)
    runtime.consume(events.SurveySubmitted, on_survey_submitted)
    runtime.consume(events.RetrainingScheduled, on_retraining_scheduled)
    runtime.consume(events.RetrainingWithdrawn, on_retraining_withdrawn)
    runtime.consume(events.FeedbackReceived, on_feedback_received)
    runtime.consume(events.ForumHeld, on_forum_held)
