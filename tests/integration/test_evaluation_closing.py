"""Two evaluation instances on the real store close a quarter once; late answers are judged once."""

import asyncio
import datetime as dt

from services.evaluation import handlers, ikm, rules
from services.evaluation.closing import Closures, QuarterScheduler
from services.evaluation.repository import MongoPeople, MongoQuarterCloses, MongoTallies, MongoUnitQuarters
from services.evaluation.unit_rule import UnitRule
from shared.messaging.outbox import OutboxRelay
from shared.persistence.aggregates import Aggregates
from shared.persistence.storage import Store
from tests.builders import a_survey_submitted, random_nip, wrapped

RULES = rules.load()
Q3_CLOSED = dt.datetime(2025, 10, 8, tzinfo=dt.UTC)  # 2025-Q3 ended 1 Oct WIB; + 7 grace days


class Instance:
    """One evaluation process's handlers on the shared database (its own aggregates and caches)."""

    def __init__(self, store: Store, relay: OutboxRelay, now: dt.datetime) -> None:
        def aggregates(name: str) -> Aggregates:
            return Aggregates(store.collection(name), relay)

        self.people = MongoPeople(aggregates("people"))
        self.tallies = MongoTallies(aggregates("ikm_shards"))
        self.quarters = MongoUnitQuarters(aggregates("units"))
        self.closures = Closures(
            MongoQuarterCloses(aggregates("quarters")), RULES.calendar, clock=lambda: now
        )
        self.unit_rule = UnitRule(self.tallies, self.quarters, RULES, self.closures)
        self.judged: list[str] = []
        self.scheduler = QuarterScheduler(self.closures, self.judge)

    async def judge(self, period: str, now: dt.datetime) -> None:
        self.judged.append(period)
        await handlers.judge_quarter(period, now, people=self.people, unit_rule=self.unit_rule, rules=RULES)


async def test_two_instances_close_a_quarter_once(store: Store, relay: OutboxRelay) -> None:
    first, second = Instance(store, relay, Q3_CLOSED), Instance(store, relay, Q3_CLOSED)
    unit = "kel-jomblang"
    for _ in range(35):
        answers = dict.fromkeys(ikm.ELEMENTS, 4) | {"u7": 2}
        await handlers.count_response(
            wrapped(a_survey_submitted(unit_id=unit, period="2025-Q3", answers=answers)),
            tallies=first.tallies,
        )
    closed = await asyncio.gather(first.scheduler.tick(), second.scheduler.tick())
    assert sorted(p for ticked in closed for p in ticked) == ["2025-Q2", "2025-Q3"]
    assert sorted(first.judged + second.judged) == ["2025-Q2", "2025-Q3"]
    assert await first.scheduler.tick() == []
    assert await second.scheduler.tick() == []
    assert await second.closures.is_closed("2025-Q3")
    recommended = [f async for target, f in first.quarters.recommendations() if target["unit_id"] == unit]
    assert [(f.rule_id, f.competency, f.status) for f in recommended] == [
        ("unit_element_low", "service_ethics", "open")
    ]


async def test_a_late_answer_redelivered_to_both_instances_counts_and_judges_once(
    store: Store, relay: OutboxRelay
) -> None:
    first, second = Instance(store, relay, Q3_CLOSED), Instance(store, relay, Q3_CLOSED)
    await first.scheduler.tick()
    unit, nip = "kel-tegalsari", random_nip()
    for _ in range(29):
        answers = dict.fromkeys(ikm.ELEMENTS, 4) | {"u7": 1}
        await handlers.count_response(
            wrapped(a_survey_submitted(unit_id=unit, period="2025-Q3", answers=answers)),
            tallies=first.tallies,
        )
    late = wrapped(
        a_survey_submitted(
            unit_id=unit, period="2025-Q3", served_by_nip=nip, answers=dict.fromkeys(ikm.ELEMENTS, 1)
        )
    )
    for instance in (first, second, first):
        await handlers.count_response(late, tallies=instance.tallies)
        await handlers.record_answer(late, people=instance.people, rules=RULES, closures=instance.closures)
        await instance.unit_rule.evaluate(unit, "2025-Q3", Q3_CLOSED)
    recommended = [f async for target, f in first.quarters.recommendations() if target["unit_id"] == unit]
    assert len(recommended) == 1
    assert (recommended[0].evidence or {})["respondents"] == 30
    person = await first.people.get(nip)
    assert person is not None
    assert person.served["2025-Q3"].count == 1
