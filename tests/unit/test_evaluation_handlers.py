"""Evaluation use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt

import pytest

from services.evaluation import handlers, rules
from shared import events
from tests.builders import a_survey_submitted, a_training_completed, random_nip, wrapped
from tests.fakes import InMemoryPeople

RULES = rules.load()


@pytest.fixture
def people() -> InMemoryPeople:
    return InMemoryPeople()


class TestEvaluateTraining:
    async def test_a_redelivered_high_score_rewards_once(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        event = wrapped(a_training_completed(nip=nip, score=91, jp=4))
        for _ in range(3):
            await handlers.evaluate_training(event, people=people, rules=RULES)
        assert [e.type for e in people.published] == ["RewardTriggered"]
        assert people.published[0].data.model_dump()["caused_by"] == (event.id,)

    async def test_a_real_pass_closes_the_recommendation_it_answers(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        failed = wrapped(a_training_completed(nip=nip, score=40, passed=False, competency="service_ethics"))
        await handlers.evaluate_training(failed, people=people, rules=RULES)
        person = await people.get(nip)
        assert person is not None
        assert person.open_recs == 1
        passed = wrapped(a_training_completed(nip=nip, score=80, competency="service_ethics"))
        await handlers.evaluate_training(passed, people=people, rules=RULES)
        person = await people.get(nip)
        assert person is not None
        assert (person.open_recs, [f.status for f in person.firings.values() if f.status]) == (0, ["done"])


class TestAppraisalsAndAnswers:
    async def test_an_appraisal_is_passed_on_with_its_reward(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        appraised = wrapped(
            events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating="SANGAT_BAIK")
        )
        await handlers.record_appraisal(appraised, people=people, rules=RULES)
        assert [e.type for e in people.published] == ["PerformanceAppraised", "RewardTriggered"]

    async def test_an_answer_naming_nobody_changes_no_person(self, people: InMemoryPeople) -> None:
        assert not await handlers.record_answer(wrapped(a_survey_submitted()), people=people, rules=RULES)
        assert people.states == {}


class TestCloseQuarter:
    async def test_jp_below_the_duty_recommends_once(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        await handlers.evaluate_training(
            wrapped(a_training_completed(nip=nip, jp=4)), people=people, rules=RULES
        )
        for _ in range(2):
            await handlers.close_quarter(nip, "2026-Q4", people=people, rules=RULES)
        shortfalls = [e for e in people.published if e.data.model_dump().get("rule_id") == "jp_below_duty"]
        assert len(shortfalls) == 1


class TestProgrammeCalendar:
    async def test_a_training_at_dawn_on_new_year_counts_in_the_new_year(
        self, people: InMemoryPeople
    ) -> None:
        # 2025-12-31T22:00Z is 05:00 WIB on 1 January 2026, whatever offset the sender wrote.
        nip = random_nip()
        for written in ("2025-12-31T22:00:00+00:00", "2026-01-01T07:00:00+09:00"):
            done = a_training_completed(nip=nip, jp=10, completed_at=dt.datetime.fromisoformat(written))
            await handlers.evaluate_training(wrapped(done), people=people, rules=RULES)
        person = await people.get(nip)
        assert person is not None
        assert (person.jp, person.jp_quarters) == ({"2026": 20}, {"2026-Q1": 20})
        [reward] = [e for e in people.published if e.data.model_dump()["rule_id"] == "jp_duty_reached"]
        assert "2026" in reward.data.model_dump()["reason"]
