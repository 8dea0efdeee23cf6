"""IKM shards and the unit rule on the real broker and store: exact under redelivery and concurrency."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from services.evaluation import handlers, ikm, rules, satisfaction
from services.evaluation.repository import MongoTallies, MongoUnitQuarters
from services.evaluation.unit_rule import UnitRule
from shared import messaging
from shared.contract import envelope, events
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests import infra
from tests.builders import a_survey_submitted, wrapped

pytestmark = pytest.mark.integration
RULES = rules.load()
RECOMMEND = "evaluation.retraining_recommended"


@dataclass
class Units:
    tallies: MongoTallies
    rule: UnitRule
    store: Store
    bus: infra.BusRecorder
    database: str
    broker: RabbitBroker

    async def deliver(self, responses: list[envelope.CloudEvent[events.SurveySubmitted]]) -> None:
        await asyncio.gather(*(handlers.count_response(r, tallies=self.tallies) for r in responses))

    async def ikm(self, unit_id: str, period: str) -> dict[str, ikm.Tally]:
        found = await self.rule.tallies(unit_id, ikm.quarters_of(period))
        return found.get(unit_id, dict.fromkeys(satisfaction.CHANNELS, ikm.EMPTY))

    def recommended(self, unit_id: str) -> list[dict[str, Any]]:
        found = [e for e in infra.events_on(self.bus, RECOMMEND) if e["data"].get("unit_id") == unit_id]
        return list({e["id"]: e for e in found}.values())


@pytest.fixture
async def units(store_url: str, amqp_url: str, bus: infra.BusRecorder) -> AsyncIterator[Units]:
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    await broker.declare_exchange(messaging.EXCHANGE)
    database = f"eval_{uuid.uuid4().hex[:8]}"
    async with Store(store_url, database) as store:
        relay = OutboxRelay(messaging.Publisher(broker))
        tallies = MongoTallies(Aggregates(store.collection("ikm_shards"), relay))
        await tallies.create_indexes()
        rule = UnitRule(
            tallies, MongoUnitQuarters(Aggregates(store.collection("units"), relay)), RULES, delay=0.05
        )
        yield Units(tallies, rule, store, bus, database, broker)
        await relay.stop()
    await broker.stop()


def a_unit() -> str:
    return f"kel-it-{uuid.uuid4().hex[:8]}"


def responses(unit_id: str, n: int, **changes: Any) -> list[envelope.CloudEvent[events.SurveySubmitted]]:
    rng = random.Random(n)
    return [
        wrapped(
            a_survey_submitted(
                unit_id=unit_id, answers={e: rng.randint(1, 4) for e in ikm.ELEMENTS}, **changes
            )
        )
        for _ in range(n)
    ]


def scratch(sent: list[envelope.CloudEvent[events.SurveySubmitted]]) -> ikm.Tally:
    return ikm.Tally({e: sum(r.data.answers.model_dump()[e] for r in sent) for e in ikm.ELEMENTS}, len(sent))


async def test_concurrent_redelivered_responses_count_exactly_once(units: Units) -> None:
    unit = a_unit()
    sent = responses(unit, 120, channel="counter")
    storm = [r for r in sent for _ in range(3)]
    random.Random(7).shuffle(storm)
    await units.deliver(storm)
    counted = await units.ikm(unit, "2026-Q4")
    assert counted["counter"] == scratch(sent)
    assert counted["online"].count == 0
    shards = await units.store.collection("ikm_shards").count_documents({"unit_id": unit})
    assert shards <= satisfaction.SHARDS


async def test_two_instances_share_the_shards_exactly(units: Units, store_url: str) -> None:
    """A second instance (own client, own group commit) gets the same responses at the same time."""
    unit = a_unit()
    sent = responses(unit, 100)
    async with Store(store_url, units.database) as other_store:
        relay = OutboxRelay(messaging.Publisher(units.broker))
        other = MongoTallies(Aggregates(other_store.collection("ikm_shards"), relay))
        await asyncio.gather(
            units.deliver(sent + sent[:50]),
            *(handlers.count_response(r, tallies=other) for r in reversed(sent)),
        )
        await relay.stop()
    assert (await units.ikm(unit, "2026-Q4"))["online"] == scratch(sent)


async def test_semester_and_year_sum_their_quarters(units: Units) -> None:
    unit = a_unit()
    q3, q4 = responses(unit, 12, period="2026-Q3"), responses(unit, 9, period="2026-Q4")
    await units.deliver(q3 + q4)
    assert (await units.ikm(unit, "2026-S2"))["online"] == scratch(q3 + q4)
    assert (await units.ikm(unit, "2026"))["online"] == scratch(q3 + q4)
    assert (await units.ikm(unit, "2026-S1"))["online"].count == 0
    assert (await units.ikm(unit, "2026-Q3"))["online"] == scratch(q3)


async def test_online_procedure_trouble_recommends_online_service_guidance(units: Units) -> None:
    unit = a_unit()
    sent = [
        wrapped(
            a_survey_submitted(
                unit_id=unit, channel="online", answers=dict.fromkeys(ikm.ELEMENTS, 3) | {"u2": 2}
            )
        )
        for _ in range(30)
    ]
    await units.deliver(sent + sent[:10])  # ten redelivered
    for _ in range(2):  # as events arrive, then again at quarter end: one recommendation
        units.rule.soon(unit, "2026-Q4")
        await asyncio.sleep(0.2)
        await units.rule.evaluate(unit, "2026-Q4")
    await infra.eventually(lambda: _now(units.recommended(unit)))
    await asyncio.sleep(0.3)
    [found] = units.recommended(unit)
    assert found["data"]["competency"] == "online_service_guidance"
    assert found["data"]["evidence"] == {"element": "u2", "channel": "online", "nrr": 2.0, "respondents": 30}
    assert set(found["data"]["caused_by"]) <= {r.id for r in sent}
    assert found["data"]["caused_by"]


async def test_staff_behaviour_at_the_counter_recommends_service_ethics(units: Units) -> None:
    unit = a_unit()
    low = dict.fromkeys(ikm.ELEMENTS, 3) | {"u7": 2}
    await units.deliver(
        [wrapped(a_survey_submitted(unit_id=unit, channel="counter", answers=low)) for _ in range(31)]
    )
    assert await units.rule.evaluate(unit, "2026-Q4") == 1
    assert await units.rule.evaluate(unit, "2026-Q4") == 0
    await infra.eventually(lambda: _now(units.recommended(unit)))
    assert [e["data"]["competency"] for e in units.recommended(unit)] == ["service_ethics"]


async def test_too_few_responses_or_a_good_average_recommend_nothing(units: Units) -> None:
    few, fine = a_unit(), a_unit()
    bad = dict.fromkeys(ikm.ELEMENTS, 1)
    await units.deliver([wrapped(a_survey_submitted(unit_id=few, answers=bad)) for _ in range(29)])
    ok = dict.fromkeys(ikm.ELEMENTS, 3) | {"u2": 2}
    # NRR of u2 exactly 2.6 (2 x 12 + 3 x 18) / 30: not below the threshold.
    answers = [ok] * 12 + [dict.fromkeys(ikm.ELEMENTS, 3)] * 18
    await units.deliver([wrapped(a_survey_submitted(unit_id=fine, answers=a)) for a in answers])
    assert await units.rule.evaluate(few, "2026-Q4") == 0
    assert await units.rule.evaluate(fine, "2026-Q4") == 0


async def _now[T](value: T) -> T:
    return value
