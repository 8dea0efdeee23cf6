"""Evaluation use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt
from typing import Any

import pytest

from services.evaluation import handlers, rules, views
from services.evaluation.model import Appraisal, Person
from shared import errors
from shared.contract import envelope, events
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
        await handlers.record_appraisal(appraised, people=people, rules=RULES, now=NOW)
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


NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)  # a pinned "now": 2026-Q4 is under way


def appraisal(
    nip: str, period: str, rating: events.Rating
) -> envelope.CloudEvent[events.PerformanceAppraised]:
    return wrapped(events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period=period, rating=rating))


def data_of(people: InMemoryPeople, kind: str) -> list[dict[str, Any]]:
    return [e.data.model_dump() for e in people.published if e.type == kind]


async def appraise(people: InMemoryPeople, *sent: envelope.CloudEvent[events.PerformanceAppraised]) -> None:
    for event in sent:
        await handlers.record_appraisal(event, people=people, rules=RULES, now=NOW)


class TestAppraisalsPayOnce:
    async def test_overlapping_periods_pay_once_for_the_annual_rating(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        await appraise(
            people, *(appraisal(nip, p, "SANGAT_BAIK") for p in ("2026", "2026-S1", "2026-Q1", "2026-Q2"))
        )
        assert [r["points"] for r in data_of(people, "RewardTriggered")] == [30]
        person = await people.get(nip)
        assert person is not None
        notes = {a.period: a.note for a in person.appraisals.values()}
        assert notes["2026"] is None
        assert "annual" in (notes["2026-Q1"] or "")

    async def test_the_same_rating_resent_changes_nothing(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        await appraise(people, appraisal(nip, "2026", "BAIK"), appraisal(nip, "2026", "BAIK"))
        assert [e.type for e in people.published] == ["PerformanceAppraised", "RewardTriggered"]

    async def test_a_worse_correction_reverses_the_reward_and_recommends(
        self, people: InMemoryPeople
    ) -> None:
        nip = random_nip()
        first, second = appraisal(nip, "2026", "BAIK"), appraisal(nip, "2026", "KURANG")
        await appraise(people, first, second)
        rewards = data_of(people, "RewardTriggered")
        assert [(r["points"], r["corrects"]) for r in rewards] == [(10, None), (-10, first.id)]
        assert rewards[1]["rule_id"] == "appraisal_correction"
        assert rewards[1]["caused_by"] == (second.id,)
        [recommended] = data_of(people, "RetrainingRecommended")
        assert (recommended["rule_id"], recommended["caused_by"]) == ("appraisal_retraining", (second.id,))
        person = await people.get(nip)
        assert person is not None
        [kept] = person.appraisals.values()
        assert (kept.rating, kept.paid, kept.supersedes) == ("KURANG", 0, ((first.id, "BAIK"),))

    async def test_a_better_correction_withdraws_the_recommendation(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        first, second = appraisal(nip, "2026", "KURANG"), appraisal(nip, "2026", "BAIK")
        await appraise(people, first, second)
        [recommended] = data_of(people, "RetrainingRecommended")
        [resolved] = data_of(people, "RecommendationResolved")
        assert (resolved["recommendation_id"], resolved["status"]) == (
            recommended["recommendation_id"],
            "withdrawn",
        )
        assert [(r["points"], r["corrects"]) for r in data_of(people, "RewardTriggered")] == [(10, first.id)]
        person = await people.get(nip)
        assert person is not None
        assert [f.status for f in person.firings.values() if f.is_recommendation] == ["withdrawn"]
        assert person.open_recs == 0

    async def test_an_appraisal_for_a_period_not_started_is_refused(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        with pytest.raises(errors.InvalidError, match="has not started"):
            await appraise(people, appraisal(nip, "2027", "BAIK"))
        with pytest.raises(errors.InvalidError):
            await appraise(people, appraisal(nip, "2027-Q1", "BAIK"))
        assert people.states == {}

    @pytest.mark.parametrize(
        ("now", "accepted"),
        [
            ("2026-12-31T16:59:59Z", False),  # 23:59:59 WIB on 31 December
            ("2026-12-31T17:00:00Z", True),  # 00:00 WIB on 1 January
            ("2027-01-01T06:59:00+07:00", True),
            ("2027-01-01T00:30:00+09:00", False),  # 22:30 WIB on 31 December
            ("2027-01-01T08:00:00+09:00", True),  # 06:00 WIB
        ],
    )
    async def test_a_period_starts_at_midnight_in_the_programme_zone(
        self, people: InMemoryPeople, now: str, accepted: bool
    ) -> None:
        event = appraisal(random_nip(), "2027-Q1", "BAIK")
        pinned = dt.datetime.fromisoformat(now)
        if accepted:
            assert await handlers.record_appraisal(event, people=people, rules=RULES, now=pinned)
        else:
            with pytest.raises(errors.InvalidError):
                await handlers.record_appraisal(event, people=people, rules=RULES, now=pinned)


class TestJpPace:
    async def test_each_quarter_end_expects_its_share_of_the_duty(self, people: InMemoryPeople) -> None:
        nip = random_nip()
        q1 = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
        await handlers.evaluate_training(
            wrapped(a_training_completed(nip=nip, jp=6, score=75, completed_at=q1)),
            people=people,
            rules=RULES,
        )
        await handlers.close_quarter(nip, "2026-Q1", people=people, rules=RULES)
        assert data_of(people, "RetrainingRecommended") == []  # 6 >= 5 by the end of Q1
        for _ in range(2):
            await handlers.close_quarter(nip, "2026-Q2", people=people, rules=RULES)
        [short] = data_of(people, "RetrainingRecommended")
        assert short["evidence"] == {"jp": 6, "expected": 10, "gap": 4, "duty": 20}
        assert "4 JP short" in short["reason"]

    async def test_failed_trainings_count_toward_neither_the_duty_nor_its_reward(
        self, people: InMemoryPeople
    ) -> None:
        nip = random_nip()
        for passed in (True, False, True):
            done = a_training_completed(nip=nip, jp=8, score=75 if passed else 40, passed=passed)
            await handlers.evaluate_training(wrapped(done), people=people, rules=RULES)
        person = await people.get(nip)
        assert person is not None
        assert person.jp == {"2026": 16}
        assert len(person.trainings) == 3
        assert not [r for r in data_of(people, "RewardTriggered") if r["rule_id"] == "jp_duty_reached"]


class TestQuarterEndRun:
    @pytest.mark.parametrize(
        ("period", "error", "reason"),
        [
            ("2026-Q4", errors.ConflictError, "has not ended"),
            ("2027-Q1", errors.InvalidError, "has not started"),
        ],
    )
    async def test_a_quarter_not_over_is_refused(
        self, people: InMemoryPeople, period: str, error: type[Exception], reason: str
    ) -> None:
        with pytest.raises(error, match=reason):
            handlers.check_quarter_ended(period, now=NOW, rules=RULES)

    async def test_the_last_quarter_may_run(self) -> None:
        handlers.check_quarter_ended("2026-Q3", now=NOW, rules=RULES)
        handlers.check_quarter_ended("2026-Q4", now=dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC), rules=RULES)


class TestProfile:
    def test_a_person_never_seen_shows_the_current_year_with_zero_jp(self) -> None:
        shown = views.profile(random_nip(), Person(), RULES, year="2026")
        assert shown["jp"] == {"2026": {"jp": 0, "duty": 20, "met": False}}


@pytest.mark.parametrize(
    ("written", "year", "quarter"),
    [
        ("2026-03-31T17:00:00Z", "2026", "2026-Q2"),  # 00:00 WIB on 1 April
        ("2026-04-01T06:59:00+07:00", "2026", "2026-Q2"),
        ("2026-04-01T08:59:00+09:00", "2026", "2026-Q2"),  # 06:59 WIB
        ("2026-04-01T01:00:00+09:00", "2026", "2026-Q1"),  # 23:00 WIB on 31 March
        ("2025-12-31T17:00:00Z", "2026", "2026-Q1"),  # 00:00 WIB on 1 January
        ("2026-01-01T06:59:00+07:00", "2026", "2026-Q1"),
        ("2026-01-01T08:59:00+09:00", "2026", "2026-Q1"),
        ("2026-01-01T00:59:00+09:00", "2025", "2025-Q4"),  # 22:59 WIB on 31 December
    ],
)
async def test_a_completion_counts_in_the_year_and_quarter_of_its_programme_date(
    people: InMemoryPeople, written: str, year: str, quarter: str
) -> None:
    nip = random_nip()
    done = a_training_completed(nip=nip, jp=4, completed_at=dt.datetime.fromisoformat(written))
    await handlers.evaluate_training(wrapped(done), people=people, rules=RULES)
    person = await people.get(nip)
    assert person is not None
    assert (person.jp, person.jp_quarters) == ({year: 4}, {quarter: 4})


async def test_an_appraisal_stored_before_corrections_existed_is_corrected_by_its_firings(
    people: InMemoryPeople,
) -> None:
    nip = random_nip()
    first = appraisal(nip, "2026", "SANGAT_BAIK")
    await appraise(people, first)
    person = await people.get(nip)
    assert person is not None
    legacy = {
        k: Appraisal(event_id=a.event_id, period=a.period, rating=a.rating)
        for k, a in person.appraisals.items()
    }
    people.states[nip] = person.model_copy(update={"appraisals": legacy})
    await appraise(people, appraisal(nip, "2026", "BAIK"))
    assert [r["points"] for r in data_of(people, "RewardTriggered")] == [30, -20]
