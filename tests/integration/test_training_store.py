"""Training on the real broker and store: two instances at once never over-book or double-publish."""

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from services.training.handlers import catalogue, completions, groups, retraining
from services.training.model import records
from services.training.model.groups import ProjectGroup, completion_id
from services.training.model.programmes import Assessment, Program, ProgramFullError
from services.training.repository import Repositories
from services.training.repository.mongo import (
    MongoGroups,
    MongoMonths,
    MongoPeople,
    MongoProgrammes,
    MongoRecords,
    MongoUnits,
)
from shared import messaging
from shared.contract import envelope, events
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests import infra
from tests.builders import a_training_completed, random_id, random_nip, wrapped

pytestmark = pytest.mark.integration
SOON = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)


@dataclass(frozen=True)
class Instance:
    """One training process: its repositories, and its store client to look at the documents."""

    repos: Repositories
    store: Store


async def instance(stack: AsyncExitStack, store_url: str, database: str, broker: RabbitBroker) -> Instance:
    """One training process's repositories: its own client and outbox relay on the shared database."""
    store = await stack.enter_async_context(Store(store_url, database))
    relay = OutboxRelay(messaging.Publisher(broker), sweep_seconds=60)
    stack.push_async_callback(relay.stop, flush=False)

    def aggregates(name: str) -> Aggregates:
        return Aggregates(store.collection(name), relay)

    programmes, kept = MongoProgrammes(aggregates("programs")), MongoRecords(aggregates("records"))
    repos = Repositories(
        programmes=programmes,
        people=MongoPeople(aggregates("people")),
        units=MongoUnits(aggregates("units")),
        records=kept,
        months=MongoMonths(aggregates("statements")),
        groups=MongoGroups(aggregates("groups")),
    )
    await kept.create_indexes()
    return Instance(repos, store)


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[RabbitBroker]:
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    await broker.declare_exchange(messaging.EXCHANGE)
    yield broker
    await broker.stop()


@pytest.fixture
async def two(
    store_url: str, broker: RabbitBroker, bus: infra.BusRecorder
) -> AsyncIterator[tuple[Instance, Instance]]:
    database = f"train_{uuid.uuid4().hex[:8]}"
    async with AsyncExitStack() as stack:
        yield (
            await instance(stack, store_url, database, broker),
            await instance(stack, store_url, database, broker),
        )


async def a_programme(one: Instance, **changes: Any) -> str:
    fields: dict[str, Any] = {
        "program_id": random_id("prog"),
        "title": "Manajemen perubahan",
        "competency": "change_management",
        "method": "classroom",
        "jp": 6,
        "starts_at": SOON,
        "ends_at": SOON + dt.timedelta(days=1),
        "capacity": 7,
    }
    program = Program.model_validate(fields | changes)
    _, created = await catalogue.create_programme(program, repos=one.repos)
    assert created
    return program.program_id


async def test_two_instances_never_over_book(two: tuple[Instance, Instance]) -> None:
    program_id = await a_programme(two[0], capacity=7)
    people = [random_nip() for _ in range(40)]

    async def enrol(i: int, nip: str) -> bool:
        try:
            return await catalogue.enrol(program_id, nip, "kel-candi", repos=two[i % 2].repos)
        except ProgramFullError:
            return False

    taken = await asyncio.gather(*(enrol(i, nip) for i, nip in enumerate(people)))
    assert sum(taken) == 7
    doc = await two[1].store.collection("programs").find_one({"_id": program_id})
    assert doc is not None
    assert doc["enrolled_count"] == len(doc["seats"]) == 7

    winners = [nip for nip, won in zip(people, taken, strict=True) if won]
    released = await asyncio.gather(
        *(catalogue.withdraw(program_id, nip, repos=two[0].repos) for nip in winners[:3] * 2)
    )
    assert sum(released) == 3  # withdrawing twice gives one seat back
    again = await asyncio.gather(*(enrol(i, nip) for i, nip in enumerate(people)))
    assert sum(again) == 3
    doc = await two[0].store.collection("programs").find_one({"_id": program_id})
    assert doc is not None
    assert doc["enrolled_count"] == len(doc["seats"]) == 7


async def test_one_completion_from_both_instances_is_stored_and_published_once(
    two: tuple[Instance, Instance], bus: infra.BusRecorder
) -> None:
    event = wrapped(a_training_completed())
    fresh = await asyncio.gather(
        *(completions.record_completion(event, repos=two[i % 2].repos) for i in range(10))
    )
    assert sum(fresh) == 1
    await infra.eventually(lambda: _published(bus, event.id))
    await asyncio.sleep(0.5)
    assert bus.routing_keys(event.id) == ["training.completed"]
    record = await two[0].repos.records.get(records.record_key(event.data.nip, 2026))
    assert record is not None
    assert len(record.completions) == 1


async def test_completions_wait_in_the_outbox_while_the_broker_is_down(
    two: tuple[Instance, Instance], bus: infra.BusRecorder, store_url: str, broker: RabbitBroker
) -> None:
    unreachable = messaging.make_broker(f"amqp://guest:guest@127.0.0.1:{infra.free_port()}/")
    database = two[0].store.collection("records").database.name
    async with AsyncExitStack() as stack:
        offline = await instance(stack, store_url, database, unreachable)
        event = wrapped(a_training_completed())
        assert await completions.record_completion(event, repos=offline.repos)
        await asyncio.sleep(0.5)
        assert bus.routing_keys(event.id) == []
    relay = OutboxRelay(messaging.Publisher(broker))
    relay.watch(two[0].store.collection("records"))
    assert await relay.sweep(grace=dt.timedelta(0)) >= 1
    await infra.eventually(lambda: _published(bus, event.id))
    assert await relay.sweep(grace=dt.timedelta(0)) == 0
    assert bus.routing_keys(event.id) == ["training.completed"]


async def test_a_redelivered_recommendation_takes_one_seat_and_schedules_once(
    two: tuple[Instance, Instance], bus: infra.BusRecorder
) -> None:
    program_id = await a_programme(two[0], competency="service_ethics", capacity=1)
    nip = random_nip()
    rec = events.RetrainingRecommended(
        recommendation_id=random_id("rec"),
        nip=nip,
        competency="service_ethics",
        rule_id="appraisal_low",
        reason="KURANG",
        evidence={},
        caused_by=(random_id(),),
    )
    delivery = envelope.wrap(rec, source="urn:mutu:evaluation")
    outcomes = await asyncio.gather(
        *(retraining.recommend(delivery, repos=two[i % 2].repos) for i in range(4))
    )
    assert {o[nip] for o in outcomes} == {program_id}
    scheduled = retraining.scheduled_id(rec.recommendation_id, nip)
    await infra.eventually(lambda: _published(bus, scheduled))
    await asyncio.sleep(0.5)
    assert bus.routing_keys(scheduled) == ["training.retraining_scheduled"]
    program = await two[1].repos.programmes.get(program_id)
    assert program is not None
    assert program.enrolled_count == 1


async def test_a_retried_group_assessment_publishes_each_member_once(
    two: tuple[Instance, Instance], bus: infra.BusRecorder
) -> None:
    program_id = await a_programme(two[0], method="project_based", competency="data_management")
    members = [random_nip() for _ in range(4)]
    group = ProjectGroup(
        group_id=random_id("grp"),
        program_id=program_id,
        unit_id="kel-candi",
        brief="data kependudukan",
        members=members,
    )
    assert (await groups.create_group(group, repos=two[0].repos))[1]
    assert not (await groups.create_group(group, repos=two[1].repos))[1]
    assessment = Assessment(score=81, passed=True)
    ids = await asyncio.gather(
        *(groups.assess(group.group_id, assessment, repos=two[i % 2].repos) for i in range(4))
    )
    assert len({tuple(i) for i in ids}) == 1
    assert ids[0] == [completion_id(group.group_id, nip) for nip in members]
    await infra.eventually(lambda: _all_published(bus, ids[0]))
    await asyncio.sleep(0.5)
    assert all(bus.routing_keys(i) == ["training.completed"] for i in ids[0])


async def _published(bus: infra.BusRecorder, event_id: str) -> bool:
    return bool(bus.routing_keys(event_id))


async def _all_published(bus: infra.BusRecorder, ids: list[str]) -> bool:
    return all(bus.routing_keys(i) for i in ids)
