"""Training's subscription table on FastStream's test broker: a RetrainingRecommended reaches recommend."""

import datetime as dt
from pathlib import Path

from faststream.rabbit import TestRabbitBroker

from services.training import subscribers
from services.training.model.programmes import Program, created
from services.training.settings import TrainingSettings
from shared import messaging
from shared.contract import envelope, events
from shared.runtime import Runtime
from tests.builders import random_id, random_nip, wrapped
from tests.fakes import in_memory_training


async def test_a_retraining_recommended_on_its_routing_key_schedules_it(tmp_path: Path) -> None:
    runtime = Runtime("training", TrainingSettings(mongodb_url="mongodb://127.0.0.1:1", var_dir=tmp_path))
    repos = in_memory_training()
    subscribers.subscribe(runtime, repos=repos)
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    program = Program(
        program_id=random_id("prog"),
        title="Etika pelayanan",
        competency="service_ethics",
        method="classroom",
        jp=6,
        starts_at=starts,
        ends_at=starts + dt.timedelta(days=1),
        capacity=5,
    )
    await repos.programmes.update(program.program_id, lambda state: created(state, program))
    nip = random_nip()
    recommended = wrapped(
        events.RetrainingRecommended(
            recommendation_id=random_id("rec"),
            nip=nip,
            competency="service_ethics",
            rule_id="appraisal_low",
            reason="KURANG",
            evidence={},
            caused_by=(random_id(),),
        )
    )
    async with TestRabbitBroker(runtime.broker) as broker:
        await broker.publish(
            envelope.to_json(recommended),
            exchange=messaging.EXCHANGE,
            routing_key=recommended.data.routing_key,
            message_id=recommended.id,
            content_type=envelope.CONTENT_TYPE,
        )
    person = await repos.people.get(nip)
    assert person is not None
    assert person.status_of(recommended.data.recommendation_id) == "scheduled"
    assert await repos.programmes.seat_holders(program.program_id) == [nip]
    assert runtime.consumed == [events.RetrainingRecommended]
