"""Closed quarters on in-memory adapters with a pinned clock: period rules wait for the close.

The unit rule, its outcome (done on recovery, expired without it), a person's recommendation
closed by a pass after it opened, seats, late data and the adaptation rule on the officer.
"""

import datetime as dt
from typing import Any

import pytest

from services.evaluation import handlers, ikm, rules, views
from services.evaluation.closing import Closures, QuarterScheduler
from services.evaluation.unit_rule import UnitRule
from shared.contract import envelope, events
from tests.builders import a_survey_submitted, a_training_completed, random_nip, wrapped
from tests.fakes import InMemoryPeople, InMemoryQuarterCloses, InMemoryTallies, InMemoryUnitQuarters

RULES = rules.load()
UTC = dt.UTC
DURING_Q3 = dt.datetime(2025, 9, 15, tzinfo=UTC)
Q3_CLOSED = dt.datetime(2025, 10, 8, tzinfo=UTC)  # 2025-Q3 ended 1 Oct WIB; + 7 grace days
Q4_CLOSED = dt.datetime(2026, 1, 8, tzinfo=UTC)
CLOSE_OF = {  # a moment at which each quarter (and the ones before) has closed
    "2025-Q3": Q3_CLOSED,
    "2025-Q4": Q4_CLOSED,
    "2026-Q1": dt.datetime(2026, 4, 8, tzinfo=UTC),
    "2026-Q2": dt.datetime(2026, 7, 8, tzinfo=UTC),
    "2026-Q3": dt.datetime(2026, 10, 8, tzinfo=UTC),
}


class PinnedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Evaluation:
    """Evaluation's handlers wired as its composition root does, on fakes and a pinned clock."""

    def __init__(self, now: dt.datetime, closes: InMemoryQuarterCloses | None = None) -> None:
        self.clock = PinnedClock(now)
        self.people = InMemoryPeople()
        self.tallies = InMemoryTallies()
        self.quarters = InMemoryUnitQuarters()
        self.closes = closes or InMemoryQuarterCloses()
        self.closures = Closures(self.closes, RULES.calendar, clock=self.clock)
        self.unit_rule = UnitRule(self.tallies, self.quarters, RULES, self.closures)
        self.scheduler = QuarterScheduler(self.closures, self.judge)

    async def judge(self, period: str, now: dt.datetime) -> object:
        return await handlers.judge_quarter(
            period, now, people=self.people, unit_rule=self.unit_rule, rules=RULES
        )

    async def at(self, now: dt.datetime) -> list[str]:
        """Move the clock and let the scheduler tick: the quarters it closed."""
        self.clock.now = now
        return await self.scheduler.tick()

    async def answer(self, event: envelope.CloudEvent[events.SurveySubmitted]) -> None:
        """As the subscriber does: tally, the person, and a closed quarter judged again."""
        await handlers.count_response(event, tallies=self.tallies)
        await handlers.record_answer(
            event, people=self.people, rules=RULES, closures=self.closures, now=self.clock()
        )
        if await self.closures.is_closed(event.data.period):
            await self.unit_rule.evaluate(event.data.unit_id, event.data.period, self.clock())

    async def answers(self, n: int, *, period: str, unit: str = "kel-candi", **values: int) -> None:
        for _ in range(n):
            scores = dict.fromkeys(ikm.ELEMENTS, 4) | values
            await self.answer(wrapped(a_survey_submitted(unit_id=unit, period=period, answers=scores)))

    async def officer(
        self, nip: str, n: int, *, period: str, officer: int, others: int = 1, **values: int
    ) -> None:
        """`n` verified answers naming `nip`: `officer` on u3, u6, u7, u8 and `others` elsewhere."""
        officers = dict.fromkeys(("u3", "u6", "u7", "u8"), officer)
        scores = dict.fromkeys(ikm.ELEMENTS, others) | officers | values
        for _ in range(n):
            await self.answer(wrapped(a_survey_submitted(served_by_nip=nip, period=period, answers=scores)))

    async def training(self, **changes: Any) -> None:
        await handlers.evaluate_training(
            wrapped(a_training_completed(**changes)),
            people=self.people,
            rules=RULES,
            closures=self.closures,
            now=self.clock(),
        )

    def published(self, kind: str) -> list[dict[str, Any]]:
        found = self.people.published + self.quarters.published
        return [e.data.model_dump() for e in found if e.type == kind]

    def unit_recommendations(self) -> list[dict[str, Any]]:
        return [r for r in self.published("RetrainingRecommended") if r["rule_id"] == "unit_element_low"]


def statuses(evaluation: Evaluation, quarter: str = "kel-candi:2025-Q3") -> list[str]:
    """The statuses of the unit recommendations of one unit quarter (by default the weak Q3)."""
    found = evaluation.quarters.states.get(quarter)
    return [str(f.status) for f in found.firings.values()] if found else []


class TestTheUnitRuleWaitsForTheClose:
    async def test_a_weak_quarter_recommends_once_at_its_close_not_at_the_thirtieth_answer(self) -> None:
        evaluation = Evaluation(DURING_Q3)
        await evaluation.answers(40, period="2025-Q3", u7=2)
        assert await evaluation.unit_rule.evaluate("kel-candi", "2025-Q3", DURING_Q3) == 0
        assert evaluation.unit_recommendations() == []
        assert await evaluation.at(Q3_CLOSED) == ["2025-Q2", "2025-Q3"]
        assert await evaluation.at(Q3_CLOSED + dt.timedelta(hours=1)) == []
        [recommended] = evaluation.unit_recommendations()
        assert (recommended["unit_id"], recommended["competency"]) == ("kel-candi", "service_ethics")
        assert recommended["evidence"] == {
            "element": "u7",
            "channel": "online",
            "nrr": 2.0,
            "respondents": 40,
        }

    async def test_late_answers_keep_it_only_while_the_rule_still_holds(self) -> None:
        evaluation = Evaluation(DURING_Q3)
        await evaluation.answers(40, period="2025-Q3", u7=2)
        await evaluation.at(Q3_CLOSED)
        await evaluation.answers(10, period="2025-Q3")  # late, good: NRR 2.4, still below B
        assert statuses(evaluation) == ["open"]
        await evaluation.answers(150, period="2025-Q3")  # late, good: NRR 3.6
        assert statuses(evaluation) == ["withdrawn"]
        [withdrawn] = evaluation.published("RecommendationResolved")
        assert withdrawn["status"] == "withdrawn"
        assert len(evaluation.unit_recommendations()) == 1  # nothing fired twice

    async def test_late_answers_for_a_closed_quarter_fire_it_once(self) -> None:
        evaluation = Evaluation(Q3_CLOSED)
        await evaluation.at(Q3_CLOSED)
        late = wrapped(
            a_survey_submitted(period="2025-Q3", answers=dict.fromkeys(ikm.ELEMENTS, 4) | {"u7": 1})
        )
        await evaluation.answers(29, period="2025-Q3", u7=1)
        for _ in range(3):  # redelivered
            await evaluation.answer(late)
        await evaluation.answers(5, period="2025-Q3", u7=1)
        [recommended] = evaluation.unit_recommendations()
        assert recommended["evidence"]["respondents"] == 30  # the 30th answer fired it, once

    async def test_a_thin_quarter_is_judged_on_its_semester(self) -> None:
        evaluation = Evaluation(dt.datetime(2025, 2, 1, tzinfo=UTC))
        await evaluation.answers(15, period="2025-Q1", u2=2)
        await evaluation.answers(20, period="2025-Q2", u2=2)
        await evaluation.at(dt.datetime(2025, 7, 8, tzinfo=UTC))  # Q2 closed
        [recommended] = evaluation.unit_recommendations()
        assert recommended["evidence"]["window"] == ["2025-Q1", "2025-Q2"]
        assert recommended["evidence"]["respondents"] == 35
        assert "2025-Q2" in recommended["reason"]

    async def test_a_quarter_judged_on_its_own_is_not_judged_again_in_the_next_ones_semester(self) -> None:
        evaluation = Evaluation(DURING_Q3)
        await evaluation.answers(40, period="2025-Q3", u7=2)
        await evaluation.answers(5, period="2025-Q4", u7=2)
        await evaluation.at(Q4_CLOSED)
        assert [r["reason"][-7:] for r in evaluation.unit_recommendations()] == ["2025-Q3"]

    async def test_too_few_answers_even_in_the_semester_recommend_nothing(self) -> None:
        evaluation = Evaluation(Q3_CLOSED)
        await evaluation.answers(29, period="2025-Q3", u7=1)
        await evaluation.at(Q3_CLOSED)
        assert evaluation.unit_recommendations() == []


class TestAUnitRecommendationsOutcome:
    async def weak_q3(self) -> Evaluation:
        evaluation = Evaluation(DURING_Q3)
        await evaluation.answers(40, period="2025-Q3", u7=2)
        await evaluation.at(Q3_CLOSED)
        return evaluation

    async def test_recovery_in_a_later_closed_quarter_makes_it_done_with_the_evidence(self) -> None:
        evaluation = await self.weak_q3()
        await evaluation.answers(30, period="2025-Q4")
        assert statuses(evaluation) == ["open"]  # Q4 under way: not yet evidence
        await evaluation.at(Q4_CLOSED)
        assert statuses(evaluation) == ["done"]
        [resolved] = evaluation.published("RecommendationResolved")
        [recommended] = evaluation.unit_recommendations()
        assert (resolved["recommendation_id"], resolved["status"]) == (
            recommended["recommendation_id"],
            "done",
        )
        assert resolved["evidence"]["recovered"] == {"period": "2025-Q4", "nrr": 4.0, "respondents": 30}
        [firing] = evaluation.quarters.states["kel-candi:2025-Q3"].firings.values()
        assert [step.status for step in firing.history] == ["open", "done"]

    async def test_expires_after_four_closed_quarters_with_data_and_no_recovery(self) -> None:
        evaluation = await self.weak_q3()
        for period in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"):
            await evaluation.answers(30, period=period, u7=2)
            assert statuses(evaluation) == ["open"]
            await evaluation.at(CLOSE_OF[period])
        assert statuses(evaluation) == ["expired"]
        [resolved] = evaluation.published("RecommendationResolved")  # each weak quarter has its own
        assert resolved["status"] == "expired"
        assert len(evaluation.unit_recommendations()) == 5  # every weak closed quarter has its own
        assert [q["period"] for q in resolved["evidence"]["quarters"]] == [
            "2025-Q4",
            "2026-Q1",
            "2026-Q2",
            "2026-Q3",
        ]

    async def test_quarters_without_enough_answers_are_no_evidence(self) -> None:
        evaluation = await self.weak_q3()
        for period in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"):
            await evaluation.answers(29, period=period, u7=2)
            await evaluation.at(CLOSE_OF[period])
        assert statuses(evaluation) == ["open"]
        assert evaluation.published("RecommendationResolved") == []

    async def test_late_answers_for_a_later_closed_quarter_judge_the_outcome_again(self) -> None:
        evaluation = await self.weak_q3()
        await evaluation.at(Q4_CLOSED)
        assert statuses(evaluation) == ["open"]
        await evaluation.answers(30, period="2025-Q4")  # late data for the closed Q4
        assert statuses(evaluation) == ["done"]
        assert len(evaluation.published("RecommendationResolved")) == 1

    async def test_a_roster_members_seat_schedules_it_and_giving_it_up_reopens_it(self) -> None:
        evaluation = await self.weak_q3()
        [recommended] = evaluation.unit_recommendations()
        rec_id, member = recommended["recommendation_id"], random_nip()
        seat = events.RetrainingScheduled(recommendation_id=rec_id, nip=member, program_id="eth-1")
        gone = events.RetrainingWithdrawn(recommendation_id=rec_id, nip=member, program_id="eth-1")
        common = {"people": evaluation.people, "quarters": evaluation.quarters, "now": Q3_CLOSED}
        await handlers.mark_seat(wrapped(seat), **common)
        assert statuses(evaluation) == ["scheduled"]
        await handlers.mark_seat(wrapped(gone), **common)
        assert statuses(evaluation) == ["open"]


class TestAPersonsRecommendation:
    async def failed(self, evaluation: Evaluation, nip: str) -> str:
        when = dt.datetime(2025, 11, 10, 9, tzinfo=UTC)
        await evaluation.training(
            nip=nip, score=40, passed=False, competency="service_ethics", completed_at=when
        )
        [recommended] = evaluation.published("RetrainingRecommended")
        return str(recommended["recommendation_id"])

    async def test_a_pass_completed_after_it_opened_makes_it_done(self) -> None:
        evaluation, nip = Evaluation(dt.datetime(2025, 11, 29, tzinfo=UTC)), random_nip()
        rec_id = await self.failed(evaluation, nip)
        after = dt.datetime(2025, 11, 20, 9, tzinfo=UTC)
        await evaluation.training(
            nip=nip, score=60, passed=True, competency="service_ethics", completed_at=after
        )
        [resolved] = evaluation.published("RecommendationResolved")
        assert (resolved["recommendation_id"], resolved["status"]) == (rec_id, "done")
        assert resolved["evidence"]["score"] == 60  # passed is the pass rule, whatever the score

    async def test_a_pass_completed_before_it_opened_does_not(self) -> None:
        evaluation, nip = Evaluation(dt.datetime(2025, 11, 29, tzinfo=UTC)), random_nip()
        await self.failed(evaluation, nip)
        before = dt.datetime(2025, 11, 3, 9, tzinfo=UTC)  # arrives later, happened before
        await evaluation.training(
            nip=nip, score=90, passed=True, competency="service_ethics", completed_at=before
        )
        assert evaluation.published("RecommendationResolved") == []

    async def test_a_withdrawn_seat_puts_it_back_to_open_with_its_history(self) -> None:
        evaluation, nip = Evaluation(dt.datetime(2025, 11, 29, tzinfo=UTC)), random_nip()
        rec_id = await self.failed(evaluation, nip)
        common = {"people": evaluation.people, "quarters": evaluation.quarters, "now": evaluation.clock()}
        seat = {"recommendation_id": rec_id, "nip": nip, "program_id": "eth-2"}
        await handlers.mark_seat(wrapped(events.RetrainingScheduled(**seat)), **common)
        await handlers.mark_seat(wrapped(events.RetrainingWithdrawn(**seat)), **common)
        person = await evaluation.people.get(nip)
        assert person is not None
        [firing] = [f for f in person.firings.values() if f.is_recommendation]
        assert [step.status for step in firing.history] == ["open", "scheduled", "open"]
        assert firing.status == "open"


class TestAdaptationOnTheOfficer:
    async def trained_in_q2(
        self, *, before: int = 10, after: int = 10, officer_after: int = 4, **after_values: int
    ) -> Evaluation:
        evaluation, self.nip = Evaluation(dt.datetime(2025, 2, 1, tzinfo=UTC)), random_nip()
        await evaluation.officer(self.nip, before, period="2025-Q1", officer=3)
        await evaluation.training(nip=self.nip, score=75, completed_at=dt.datetime(2025, 5, 10, tzinfo=UTC))
        await evaluation.officer(self.nip, after, period="2025-Q3", officer=officer_after, **after_values)
        return evaluation

    def adaptation(self, evaluation: Evaluation) -> list[dict[str, Any]]:
        return [r for r in evaluation.published("RewardTriggered") if r["rule_id"] == "adaptation"]

    async def test_pays_once_when_the_closed_quarter_after_shows_the_a_band(self) -> None:
        evaluation = await self.trained_in_q2()
        assert self.adaptation(evaluation) == []  # Q3 not closed yet
        await evaluation.at(Q3_CLOSED)
        await evaluation.at(Q4_CLOSED)
        await evaluation.officer(self.nip, 5, period="2025-Q3", officer=4)  # late answers: same key
        [reward] = self.adaptation(evaluation)
        assert reward["points"] == 25
        person = await evaluation.people.get(self.nip)
        assert person is not None
        [firing] = [f for f in person.firings.values() if f.rule_id == "adaptation"]
        assert firing.evidence is not None
        assert firing.evidence["before"] == {"periods": ["2025-Q1"], "answers": 10, "mean": 3.0}
        assert firing.evidence["after"] == {"periods": ["2025-Q3"], "answers": 10, "mean": 4.0}
        assert firing.evidence["elements"] == ["u3", "u6", "u7", "u8"]  # u1, u2, u4, u5, u9 (all 1s) ignored

    @pytest.mark.parametrize(("before", "after"), [(9, 10), (10, 9)])
    async def test_needs_ten_answers_on_each_side(self, before: int, after: int) -> None:
        evaluation = await self.trained_in_q2(before=before, after=after)
        await evaluation.at(Q3_CLOSED)
        assert self.adaptation(evaluation) == []

    async def test_a_rise_of_a_quarter_point_pays_below_the_a_band(self) -> None:
        evaluation = await self.trained_in_q2(officer_after=3, u3=4)  # 3.25 after 3.0
        await evaluation.at(Q3_CLOSED)
        assert len(self.adaptation(evaluation)) == 1

    async def test_no_rise_and_no_a_band_pays_nothing(self) -> None:
        evaluation = await self.trained_in_q2(officer_after=3)
        await evaluation.at(Q3_CLOSED)
        assert self.adaptation(evaluation) == []  # 3.0 after 3.0

    async def test_answers_in_the_quarter_under_way_pay_nothing_yet(self) -> None:
        evaluation, nip = Evaluation(dt.datetime(2025, 11, 29, tzinfo=UTC)), random_nip()
        await evaluation.officer(nip, 10, period="2025-Q2", officer=2)
        await evaluation.training(nip=nip, score=75, completed_at=dt.datetime(2025, 9, 10, tzinfo=UTC))
        await evaluation.officer(nip, 10, period="2025-Q4", officer=4)
        assert self.adaptation(evaluation) == []
        await evaluation.at(Q4_CLOSED)
        assert len(self.adaptation(evaluation)) == 1


class TestTwoSchedulers:
    async def test_share_a_store_and_close_each_quarter_once(self) -> None:
        closes = InMemoryQuarterCloses()
        first, second = Evaluation(Q3_CLOSED, closes), Evaluation(Q3_CLOSED, closes)
        assert await first.at(Q3_CLOSED) == ["2025-Q2", "2025-Q3"]
        assert await second.at(Q3_CLOSED) == []
        assert await second.closures.is_closed("2025-Q3")
        assert not await second.closures.is_closed("2025-Q4")


class TestJpPaceOnClosedQuarters:
    async def test_a_late_training_for_a_closed_quarter_is_judged_against_its_pace_once(self) -> None:
        # appointed in 2015: a random NIP may be appointed after 2025-Q3, which owes no JP pace
        evaluation, nip = Evaluation(DURING_Q3), "198609262015051001"
        await evaluation.at(Q3_CLOSED)  # closed before evaluation knew the person
        late = dt.datetime(2025, 9, 1, tzinfo=UTC)  # a Q3 completion sent after Q3 closed
        for _ in range(2):
            await evaluation.training(nip=nip, jp=4, score=75, completed_at=late)
        shortfalls = [r for r in evaluation.published("RetrainingRecommended") if "2025-Q3" in r["reason"]]
        assert [(r["rule_id"], r["evidence"]["jp"], r["evidence"]["expected"]) for r in shortfalls] == [
            ("jp_below_duty", 4, 15)  # judged once on the late data; the second is above 4 JP: same key
        ]


class TestTheRecommendationsList:
    async def test_filters_by_status_unit_and_person(self) -> None:
        evaluation = Evaluation(DURING_Q3)
        await evaluation.answers(40, period="2025-Q3", unit="kel-jomblang", u7=2)
        await evaluation.at(Q3_CLOSED)
        nip = random_nip()
        await evaluation.training(nip=nip, unit_id="kel-candi", score=40, passed=False)
        found = [row async for row in evaluation.people.recommendations(open_only=True)]
        found += [row async for row in evaluation.quarters.recommendations()]
        by_unit = views.recommendations(found, "open", unit_id="kel-jomblang")
        assert [(r.get("nip"), r["unit_id"], r["rule_id"]) for r in by_unit] == [
            (None, "kel-jomblang", "unit_element_low")
        ]
        mine = views.recommendations(found, None, unit_id="kel-candi")
        assert [(r["nip"], r["status"], [h["status"] for h in r["history"]]) for r in mine] == [
            (nip, "open", ["open"])
        ]
        assert views.recommendations(found, "done") == []
