"""Every person rule on the real broker and store: fires once per key under redelivery, with causes."""

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from services.evaluation import handlers, ikm, rules
from services.evaluation.model import Person
from services.evaluation.repository import MongoPeople
from shared import messaging
from shared.contract import events
from shared.contract.identifiers import derived_id
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests import infra
from tests.builders import a_survey_submitted, a_training_completed, random_nip, wrapped

pytestmark = pytest.mark.integration
JAKARTA = dt.timezone(dt.timedelta(hours=7))
RULES = rules.load()


@dataclass
class Evaluation:
    people: MongoPeople
    bus: infra.BusRecorder

    async def person(self, nip: str) -> Person:
        return await self.people.get(nip) or Person()

    async def training(self, times: int = 1, **changes: Any) -> str:
        """Deliver one TrainingCompleted `times` times concurrently (a redelivery storm)."""
        event = wrapped(a_training_completed(**changes))
        await asyncio.gather(
            *(handlers.evaluate_training(event, people=self.people, rules=RULES) for _ in range(times))
        )
        return event.id

    async def appraisal(self, nip: str, rating: events.Rating, times: int = 1) -> str:
        event = wrapped(
            events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating=rating)
        )
        for _ in range(times):
            await handlers.record_appraisal(
                event, people=self.people, rules=RULES, now=dt.datetime.now(dt.UTC)
            )
        return event.id

    async def answer(self, nip: str, value: int, times: int = 1) -> str:
        event = wrapped(a_survey_submitted(served_by_nip=nip, answers=dict.fromkeys(ikm.ELEMENTS, value)))
        for _ in range(times):
            await handlers.record_answer(event, people=self.people, rules=RULES)
        return event.id

    def fired(self, routing_key: str, nip: str, rule_id: str) -> list[dict[str, Any]]:
        found = [
            e
            for e in infra.events_on(self.bus, routing_key)
            if e["data"].get("nip") == nip and e["data"].get("rule_id") == rule_id
        ]
        return list({e["id"]: e for e in found}.values())  # the relay may publish twice; ids dedupe

    async def exactly_one(self, routing_key: str, nip: str, rule_id: str) -> dict[str, Any]:
        await infra.eventually(lambda: _now(self.fired(routing_key, nip, rule_id)))
        await asyncio.sleep(0.3)  # give a wrong second firing the chance to show up
        found = self.fired(routing_key, nip, rule_id)
        assert len(found) == 1, found
        return found[0]


@pytest.fixture
async def evaluation(store_url: str, amqp_url: str, bus: infra.BusRecorder) -> AsyncIterator[Evaluation]:
    broker = messaging.make_broker(amqp_url)
    await broker.connect()
    await broker.declare_exchange(messaging.EXCHANGE)
    async with Store(store_url, f"eval_{uuid.uuid4().hex[:8]}") as store:
        relay = OutboxRelay(messaging.Publisher(broker))
        yield Evaluation(MongoPeople(Aggregates(store.collection("people"), relay)), bus)
        await relay.stop()
    await broker.stop()


REWARD, RECOMMEND = "evaluation.reward_triggered", "evaluation.retraining_recommended"


async def test_high_score_rewards_once_per_programme(evaluation: Evaluation) -> None:
    nip = random_nip()
    first = await evaluation.training(times=3, nip=nip, program_id="dig-101", score=92, jp=4)
    await evaluation.training(nip=nip, program_id="dig-101", score=95, jp=4)  # the course again
    reward = await evaluation.exactly_one(REWARD, nip, "training_high_score")
    assert reward["id"] == derived_id("training_high_score", nip, "dig-101")
    assert reward["data"] | {"reason": ""} == {
        "nip": nip,
        "points": 10,
        "rule_id": "training_high_score",
        "reason": "",
        "caused_by": [first],
        "unit_id": "kel-candi",
    }


async def test_low_score_or_failure_recommends_the_competency(evaluation: Evaluation) -> None:
    nip = random_nip()
    cause = await evaluation.training(times=2, nip=nip, score=64, passed=True, competency="service_ethics")
    recommendation = await evaluation.exactly_one(RECOMMEND, nip, "training_low_score")
    assert recommendation["data"]["competency"] == "service_ethics"
    assert recommendation["data"]["caused_by"] == [cause]
    failed = random_nip()
    await evaluation.training(nip=failed, score=88, passed=False, competency="data_management")
    assert (await evaluation.exactly_one(RECOMMEND, failed, "training_low_score"))["data"][
        "competency"
    ] == "data_management"
    assert (await evaluation.person(nip)).open_recs == 1


async def test_twenty_jp_rewards_once_a_year(evaluation: Evaluation) -> None:
    nip = random_nip()
    causes = [await evaluation.training(times=2, nip=nip, jp=8, score=75) for _ in range(3)]
    reward = await evaluation.exactly_one(REWARD, nip, "jp_duty_reached")
    assert reward["data"]["points"] == 20
    assert reward["data"]["caused_by"] == [causes[2]]  # the training that crossed 20 JP
    await evaluation.training(nip=nip, jp=8, score=75)  # more JP the same year: nothing new
    last_year = dt.datetime(2025, 2, 1, 9, tzinfo=JAKARTA)
    await evaluation.training(nip=nip, jp=24, score=75, completed_at=last_year)
    await infra.eventually(lambda: _now(len(evaluation.fired(REWARD, nip, "jp_duty_reached")) == 2))
    assert (await evaluation.person(nip)).jp == {"2025": 24, "2026": 32}


async def test_quarter_end_flags_jp_below_the_pace_by_then(evaluation: Evaluation) -> None:
    nip = random_nip()
    cause = await evaluation.training(
        nip=nip, jp=4, score=75, completed_at=dt.datetime(2026, 2, 1, tzinfo=JAKARTA)
    )
    await evaluation.training(nip=nip, jp=16, score=75, completed_at=dt.datetime(2026, 8, 1, tzinfo=JAKARTA))
    for _ in range(2):  # a quarter-end run is idempotent
        await handlers.close_quarter(nip, "2026-Q1", people=evaluation.people, rules=RULES)
        await handlers.close_quarter(nip, "2026-Q3", people=evaluation.people, rules=RULES)
    shortfall = await evaluation.exactly_one(RECOMMEND, nip, "jp_below_duty")
    # Q1 only (4 of the 5 expected); by the end of Q3, 20 of the 15 expected
    assert shortfall["data"]["evidence"] == {"jp": 4, "expected": 5, "gap": 1, "duty": 20}
    assert shortfall["data"]["caused_by"] == [cause]


async def test_appraisals_reward_or_recommend_once_and_are_published(evaluation: Evaluation) -> None:
    top, good, weak = random_nip(), random_nip(), random_nip()
    appraised = await evaluation.appraisal(top, "SANGAT_BAIK", times=2)
    await evaluation.appraisal(good, "BAIK")
    await evaluation.appraisal(weak, "KURANG", times=2)
    assert (await evaluation.exactly_one(REWARD, top, "appraisal_reward"))["data"]["points"] == 30
    assert (await evaluation.exactly_one(REWARD, good, "appraisal_reward"))["data"]["points"] == 10
    recommendation = await evaluation.exactly_one(RECOMMEND, weak, "appraisal_retraining")
    assert recommendation["data"]["evidence"] == {"rating": "KURANG"}
    published = [e for e in infra.events_on(evaluation.bus, "performance.appraised") if e["id"] == appraised]
    assert published
    assert published[0]["data"]["rating"] == "SANGAT_BAIK"
    assert (await evaluation.person(top)).appraisals


async def test_adaptation_after_digital_training(evaluation: Evaluation) -> None:
    adapted, untrained, mediocre = random_nip(), random_nip(), random_nip()
    for nip in (adapted, mediocre):
        await evaluation.training(nip=nip, competency="digital_service", score=80)
    answers = [await evaluation.answer(adapted, 3 if i == 0 else 4, times=2) for i in range(5)]
    for _ in range(5):
        await evaluation.answer(untrained, 4)
        await evaluation.answer(mediocre, 3)
    reward = await evaluation.exactly_one(REWARD, adapted, "adaptation")
    assert reward["data"]["points"] == 25
    assert reward["data"]["caused_by"] == answers  # the five answers that made it
    served = (await evaluation.person(adapted)).served["2026-Q4"]
    assert served.count == 5  # redelivered answers counted once
    assert not evaluation.fired(REWARD, untrained, "adaptation")
    assert not evaluation.fired(REWARD, mediocre, "adaptation")


async def test_answers_before_the_training_count_when_it_arrives(evaluation: Evaluation) -> None:
    nip = random_nip()
    for _ in range(5):
        await evaluation.answer(nip, 4)
    await evaluation.training(nip=nip, competency="digital_service", score=80)
    assert (await evaluation.exactly_one(REWARD, nip, "adaptation"))["data"]["unit_id"] == "kel-candi"


async def test_recommendations_get_scheduled_then_done_by_a_real_pass(evaluation: Evaluation) -> None:
    nip = random_nip()
    await evaluation.training(nip=nip, score=40, passed=False, competency="service_ethics")
    recommendation = await evaluation.exactly_one(RECOMMEND, nip, "training_low_score")
    rec_id = recommendation["data"]["recommendation_id"]
    scheduled = wrapped(events.RetrainingScheduled(recommendation_id=rec_id, nip=nip, program_id="eth-2"))
    await handlers.mark_scheduled(scheduled, people=evaluation.people)
    await evaluation.training(nip=nip, score=66, passed=True, competency="service_ethics")  # still low

    async def statuses() -> list[str]:
        person = await evaluation.person(nip)
        return sorted(str(f.status) for f in person.firings.values() if f.rule_id == "training_low_score")

    assert await statuses() == ["open", "scheduled"]
    await evaluation.training(nip=nip, score=80, passed=True, competency="service_ethics")
    assert await statuses() == ["done", "done"]
    assert (await evaluation.person(nip)).open_recs == 0


async def _now[T](value: T) -> T:
    return value
