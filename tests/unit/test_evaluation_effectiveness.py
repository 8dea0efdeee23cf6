"""Programme effectiveness: Welch's interval and the t quantile by hand, the README's worked example.

The example (README, Evaluation, "Effectiveness"): two officers who passed a programme in
2026-Q2 have 12 verified answers before (2026-Q1; means over u3, u6, u7, u8 of 2.5 x3, 3.0 x6,
3.5 x3) and 10 after (2026-Q3; 3.0 x2, 3.5 x5, 4.0 x3); a third has answers before only and does
not count; a second programme has 3 answers before and 2 after: not enough data.
"""

import datetime as dt
import math
import statistics

import pytest

from services.evaluation import decisions, effectiveness, handlers, ikm, rules
from services.evaluation.model import Person, Served, Training
from services.evaluation.welch import Sample, regularized_beta, t_quantile, welch
from shared.contract import events
from tests.builders import a_training_completed, random_id, random_nip, wrapped
from tests.unit.test_evaluation_closed_quarters import Evaluation

RULES = rules.load()
TODAY = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)  # 2026-Q3 closed on 8 October
IN_Q2 = dt.datetime(2026, 5, 5, 9, tzinfo=dt.UTC)
BEFORE = [2.5] * 3 + [3.0] * 6 + [3.5] * 3
AFTER = [3.0] * 2 + [3.5] * 5 + [4.0] * 3
# Per answer mean -> the officer's elements u3, u6, u7, u8 (the other five are 3).
OFFICER = {2.0: (2, 2, 2, 2), 2.5: (2, 3, 2, 3), 3.0: (3, 3, 3, 3), 3.5: (4, 3, 4, 3), 4.0: (4, 4, 4, 4)}


def sample(means: list[float]) -> Sample:
    scores = [round(m * 4) for m in means]
    return Sample(4, len(scores), sum(scores), sum(s * s for s in scores))


class TestStudentT:
    @pytest.mark.parametrize(
        ("p", "df", "table"),
        [  # the printed t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), 3 decimals
            (0.975, 1, 12.706),
            (0.975, 2, 4.303),
            (0.975, 5, 2.571),
            (0.975, 10, 2.228),
            (0.975, 19, 2.093),
            (0.975, 20, 2.086),
            (0.975, 30, 2.042),
            (0.975, 100, 1.984),
            (0.975, 1e9, 1.960),
            (0.95, 4, 2.132),
            (0.995, 10, 3.169),
        ],
    )
    def test_the_quantile_matches_the_table(self, p: float, df: float, table: float) -> None:
        assert t_quantile(p, df) == pytest.approx(table, abs=5e-4)

    def test_fractional_degrees_of_freedom_lie_between_the_whole_ones(self) -> None:
        assert t_quantile(0.975, 20) < t_quantile(0.975, 19.3) < t_quantile(0.975, 19)

    def test_the_incomplete_beta_has_closed_forms_to_compare(self) -> None:
        assert regularized_beta(1, 1, 0.3) == pytest.approx(0.3)  # uniform
        assert regularized_beta(2, 1, 0.3) == pytest.approx(0.09)  # x^2
        assert regularized_beta(0.5, 0.5, 0.5) == pytest.approx(0.5)
        assert regularized_beta(1, 3, 0.2) == pytest.approx(1 - 0.8**3)


class TestWelch:
    def test_pooled_sums_give_the_mean_and_sample_variance_by_hand(self) -> None:
        pooled = sample(BEFORE[:5]) + sample(BEFORE[5:])
        assert pooled.mean == pytest.approx(statistics.mean(BEFORE))
        assert pooled.variance == pytest.approx(statistics.variance(BEFORE))

    def test_the_readme_example(self) -> None:
        found = welch(sample(BEFORE), sample(AFTER))
        assert found is not None
        v1, v2 = statistics.variance(BEFORE) / 12, statistics.variance(AFTER) / 10
        df = (v1 + v2) ** 2 / (v1**2 / 11 + v2**2 / 9)
        assert found.df == pytest.approx(df)
        assert found.se == pytest.approx(math.sqrt(v1 + v2))
        # README: difference 0.55, se 0.158, df 19.30, t 2.0908, interval 0.2196 to 0.8804
        assert (round(found.difference, 4), round(found.se, 3), round(df, 2)) == (0.55, 0.158, 19.30)
        assert round(t_quantile(0.975, df), 4) == 2.0908
        assert (round(found.low, 4), round(found.high, 4)) == (0.2196, 0.8804)

    def test_no_spread_on_either_side_is_the_point_itself(self) -> None:
        found = welch(sample([3.0, 3.0]), sample([3.5, 3.5]))
        assert found is not None
        assert (found.difference, found.low, found.high, found.df) == (0.5, 0.5, 0.5, None)

    def test_one_answer_has_no_variance_and_no_interval(self) -> None:
        assert welch(sample([3.0]), sample([3.5, 3.0])) is None


async def officer_answers(evaluation: Evaluation, nip: str, period: str, means: list[float]) -> None:
    for mean in means:
        u3, u6, u7, u8 = OFFICER[mean]
        await evaluation.officer(nip, 1, period=period, officer=3, others=3, u3=u3, u6=u6, u7=u7, u8=u8)


async def seeded() -> tuple[Evaluation, str, str, dict[str, str]]:
    """The README example: programme `good`, and `thin` with too few answers."""
    evaluation = Evaluation(TODAY)
    good, thin = random_id("prog"), random_id("prog")
    nips = {name: random_nip() for name in ("a", "b", "c", "d")}
    await officer_answers(evaluation, nips["a"], "2026-Q1", BEFORE[:2] + BEFORE[3:6] + BEFORE[9:10])
    await officer_answers(evaluation, nips["b"], "2026-Q1", BEFORE[2:3] + BEFORE[6:9] + BEFORE[10:])
    await officer_answers(evaluation, nips["a"], "2026-Q3", AFTER[:1] + AFTER[2:5] + AFTER[7:8])
    await officer_answers(evaluation, nips["b"], "2026-Q3", AFTER[1:2] + AFTER[5:7] + AFTER[8:])
    await officer_answers(evaluation, nips["c"], "2026-Q1", [2.0] * 4)
    await officer_answers(evaluation, nips["d"], "2026-Q1", [3.0] * 3)
    await officer_answers(evaluation, nips["d"], "2026-Q3", [3.5] * 2)
    for name in ("a", "b", "c"):
        await evaluation.training(nip=nips[name], program_id=good, completed_at=IN_Q2, score=80)
    await evaluation.training(nip=nips["d"], program_id=thin, completed_at=IN_Q2, score=80)
    return evaluation, good, thin, nips


async def measured(evaluation: Evaluation, program_id: str) -> dict[str, object]:
    return await handlers.programme_effectiveness(
        program_id,
        people=evaluation.people,
        quarters=evaluation.quarters,
        unit_rule=evaluation.unit_rule,
        closures=evaluation.closures,
        rules=RULES,
    )


class TestProgrammeEffectiveness:
    async def test_the_seeded_programme_equals_the_hand_computation(self) -> None:
        evaluation, good, _, _ = await seeded()
        body = await measured(evaluation, good)
        assert body["people"] == {
            "passed": 3,
            "waiting": 0,
            "answered_before": 3,
            "answered_after": 2,
            "counted": 2,
        }
        assert body["before"] == {"answers": 12, "mean": 3.0, "sd": round(statistics.stdev(BEFORE), 4)}
        assert body["after"] == {"answers": 10, "mean": 3.55, "sd": round(statistics.stdev(AFTER), 4)}
        assert body["difference"] == 0.55
        assert body["interval"] == {"level": 0.95, "low": 0.2196, "high": 0.8804, "se": 0.158, "df": 19.3}
        assert body["reason"] is None
        assert body["closed_through"] == "2026-Q3"

    async def test_too_few_answers_is_not_enough_data_rather_than_a_number(self) -> None:
        evaluation, _, thin, _ = await seeded()
        body = await measured(evaluation, thin)
        assert body["before"] == {"answers": 3, "mean": None, "sd": None}
        assert body["after"] == {"answers": 2, "mean": None, "sd": None}
        assert (body["difference"], body["interval"]) == (None, None)
        assert body["reason"] == "not enough data: 3 answers before and 2 after (at least 10 on each side)"

    async def test_the_period_ranking_puts_numbers_first_and_too_few_last(self) -> None:
        evaluation, good, thin, _ = await seeded()
        body = await handlers.ranked_effectiveness(
            "2026", people=evaluation.people, closures=evaluation.closures, rules=RULES
        )
        rows = [(r["rank"], r["program_id"], r["difference"]) for r in body["programs"]]
        assert rows == [(1, good, 0.55), (None, thin, None)]
        assert [r["before"]["answers"] for r in body["programs"]] == [12, 3]
        q3 = await handlers.ranked_effectiveness(
            "2026-Q3", people=evaluation.people, closures=evaluation.closures, rules=RULES
        )
        assert q3["programs"] == []  # passed in Q2, not Q3

    async def test_a_pass_whose_next_quarter_is_open_waits(self) -> None:
        evaluation = Evaluation(TODAY)
        program, nip = random_id("prog"), random_nip()
        await officer_answers(evaluation, nip, "2026-Q2", [3.0] * 12)
        await evaluation.training(nip=nip, program_id=program, score=80)  # 2 November: Q4 is open
        body = await measured(evaluation, program)
        assert body["people"]["waiting"] == 1
        assert body["before"]["answers"] == 0

    async def test_appraisals_wholly_before_and_after_the_quarter_of_the_pass_are_counted(self) -> None:
        evaluation, good, _, nips = await seeded()
        for period, rating in (("2025", "BAIK"), ("2026", "SANGAT_BAIK"), ("2026-Q3", "SANGAT_BAIK")):
            appraised = events.PerformanceAppraised(
                nip=nips["a"], unit_id="kel-candi", period=period, rating=rating
            )
            await handlers.record_appraisal(
                wrapped(appraised), people=evaluation.people, rules=RULES, now=TODAY
            )
        body = await measured(evaluation, good)
        assert body["appraisals"] == {"before": {"BAIK": 1}, "after": {"SANGAT_BAIK": 1}}


class TestOlderRecords:
    def test_answers_recorded_before_the_spread_existed_are_no_data_for_the_interval(self) -> None:
        old = Served(sum=120, sums=dict.fromkeys(ikm.ELEMENTS, 36) | {"u1": 12}, count=12)
        person = Person(served={"2026-Q1": old, "2026-Q3": old})
        training = Training.model_validate(
            a_training_completed(completed_at=IN_Q2).model_dump(mode="json") | {"event_id": "t1"}
        )
        passed = effectiveness.Pass("n", person, training, "2026-Q2")
        body = effectiveness.measure("p", [passed], "2026-Q3", RULES)
        assert body["people"]["counted"] == 0
        assert body["reason"] is not None
        assert body["reason"].startswith("not enough data: 0 answers before")

    async def test_records_without_the_pass_index_get_it_once(self) -> None:
        evaluation = Evaluation(TODAY)
        program, nip = random_id("prog"), random_nip()
        await evaluation.training(nip=nip, program_id=program, completed_at=IN_Q2)
        person = evaluation.people.states[nip]
        evaluation.people.states[nip] = Person.model_validate(
            person.model_dump(exclude={"programs", "pass_quarters"})
        )
        assert await evaluation.people.passers(program_id=program) == []
        assert await handlers.reindex_passes(people=evaluation.people, rules=RULES) == 1
        assert [n for n, _ in await evaluation.people.passers(program_id=program)] == [nip]
        assert decisions.reindexed(evaluation.people.states[nip], RULES) is None


class TestUnitsTheProgrammeServed:
    async def test_the_element_before_and_in_the_quarter_after_the_members_pass(self) -> None:
        evaluation = Evaluation(TODAY)
        unit, program, member = "kel-jomblang", random_id("prog"), random_nip()
        await evaluation.answers(30, period="2026-Q1", unit=unit, u7=2)
        [recommended] = evaluation.unit_recommendations()
        scheduled = events.RetrainingScheduled(
            recommendation_id=recommended["recommendation_id"], nip=member, program_id=program
        )
        await handlers.mark_seat(
            wrapped(scheduled), people=evaluation.people, quarters=evaluation.quarters, now=TODAY
        )
        body = await measured(evaluation, program)
        assert [u["after"]["reason"] for u in body["units"]] == ["no member has passed it since it opened"]
        await evaluation.training(nip=member, program_id=program, completed_at=IN_Q2, unit_id=unit)
        await evaluation.answers(29, period="2026-Q3", unit=unit, u7=4)
        [row] = (await measured(evaluation, program))["units"]
        assert row["after"] == {
            "period": "2026-Q3",
            "nrr": None,
            "respondents": 29,
            "reason": "not enough data: 29 answers (at least 30)",
        }
        await evaluation.answers(1, period="2026-Q3", unit=unit, u7=4)
        [row] = (await measured(evaluation, program))["units"]
        assert (row["unit_id"], row["element"], row["channel"]) == (unit, "u7", "online")
        assert row["before"] == {"period": "2026-Q1", "window": ["2026-Q1"], "nrr": 2.0, "respondents": 30}
        assert row["after"] == {"period": "2026-Q3", "nrr": 4.0, "respondents": 30, "reason": None}
        assert row["change"] == 2.0

    async def test_a_unit_recommendation_seated_elsewhere_is_not_listed(self) -> None:
        evaluation = Evaluation(TODAY)
        await evaluation.answers(30, period="2026-Q1", u7=2)
        [recommended] = evaluation.unit_recommendations()
        scheduled = events.RetrainingScheduled(
            recommendation_id=recommended["recommendation_id"], nip=random_nip(), program_id="other"
        )
        await handlers.mark_seat(
            wrapped(scheduled), people=evaluation.people, quarters=evaluation.quarters, now=TODAY
        )
        assert (await measured(evaluation, random_id("prog")))["units"] == []
