"""Evaluation's subscription table on FastStream's test broker: each event reaches its handler."""

from pathlib import Path

from faststream.rabbit import TestRabbitBroker

from services.evaluation import rules, subscribers
from services.evaluation.closing import Closures
from services.evaluation.forum_rule import ForumRule
from services.evaluation.settings import EvaluationSettings
from services.evaluation.unit_rule import UnitRule
from shared import messaging
from shared.contract import envelope, events
from shared.runtime import Runtime
from tests.builders import a_training_completed, random_nip, wrapped
from tests.fakes import (
    InMemoryForumQuarters,
    InMemoryPeople,
    InMemoryQuarterCloses,
    InMemoryTallies,
    InMemoryUnitQuarters,
)


async def test_a_training_completed_on_its_routing_key_reaches_the_person(tmp_path: Path) -> None:
    runtime = Runtime("evaluation", EvaluationSettings(mongodb_url="mongodb://127.0.0.1:1", var_dir=tmp_path))
    people, tallies = InMemoryPeople(), InMemoryTallies()
    active = rules.load()
    quarters = InMemoryUnitQuarters()
    closures = Closures(InMemoryQuarterCloses(), active.calendar)
    unit_rule = UnitRule(tallies, quarters, active, closures)
    forum_rule = ForumRule(InMemoryForumQuarters(), quarters, runtime.topics, closures, active.calendar)
    subscribers.subscribe(
        runtime,
        people=people,
        tallies=tallies,
        quarters=quarters,
        unit_rule=unit_rule,
        forum_rule=forum_rule,
        closures=closures,
        rules=active,
    )
    nip = random_nip()
    done = wrapped(a_training_completed(nip=nip, jp=5))
    async with TestRabbitBroker(runtime.broker) as broker:
        await broker.publish(
            envelope.to_json(done),
            exchange=messaging.EXCHANGE,
            routing_key=done.data.routing_key,
            message_id=done.id,
            content_type=envelope.CONTENT_TYPE,
        )
    person = await people.get(nip)
    assert person is not None
    assert person.jp == {"2026": 5}
    assert runtime.consumed == [
        events.TrainingCompleted,
        events.SurveySubmitted,
        events.RetrainingScheduled,
        events.RetrainingWithdrawn,
        events.FeedbackReceived,
        events.ForumHeld,
    ]
