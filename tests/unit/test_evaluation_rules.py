import pytest

from services.evaluation import ikm, judgements, model, rules
from shared.contract import events
from tests.builders import a_training_completed, random_nip

RULES = rules.load()


def judge_quarter(tallies: dict[str, ikm.Tally]) -> list[model.Recommendation]:
    """The unit rule on kel-x's closed 2026-Q4 (the quarter's window only)."""
    return judgements.judge_unit("kel-x", "2026-Q4", [(["2026-Q4"], tallies)], RULES.unit)


class TestTrainingRules:
    def test_high_score_rewards(self) -> None:
        decision = judgements.judge_training(a_training_completed(score=90, passed=True), RULES.training)
        assert isinstance(decision, model.Reward)
        assert decision.points == 10

    def test_failure_recommends_the_same_competency(self) -> None:
        done = a_training_completed(score=90, passed=False, competency="service_ethics")
        decision = judgements.judge_training(done, RULES.training)
        assert isinstance(decision, model.Recommendation)
        assert decision.competency == "service_ethics"

    def test_middle_scores_do_nothing(self) -> None:
        assert judgements.judge_training(a_training_completed(score=75, passed=True), RULES.training) is None

    def test_key_is_person_and_programme(self) -> None:
        done = a_training_completed()
        decision = judgements.judge_training(done, RULES.training)
        assert decision is not None
        assert decision.key == (done.nip, done.program_id)


class TestPeriodRules:
    def test_twenty_jp_rewards_once_per_year_key(self) -> None:
        assert judgements.judge_jp_reached("n", "2026", 19, RULES.jp) is None
        reward = judgements.judge_jp_reached("n", "2026", 20, RULES.jp)
        assert reward is not None
        assert (reward.points, reward.key) == (20, ("n", "2026"))

    def test_appraisal_ratings(self) -> None:
        nip = random_nip()
        top = judgements.judge_appraisal(
            events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating="SANGAT_BAIK"),
            RULES.appraisal,
        )
        low = judgements.judge_appraisal(
            events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating="KURANG"),
            RULES.appraisal,
        )
        assert isinstance(top, model.Reward)
        assert top.points == 30
        assert isinstance(low, model.Recommendation)


class TestUnitRule:
    def test_online_procedure_trouble_means_online_service_guidance(self) -> None:
        from services.evaluation import ikm

        sums = dict.fromkeys(ikm.ELEMENTS, 4 * 30) | {"u2": 2 * 30}
        decisions = judge_quarter({"online": ikm.Tally(sums, 30)})
        assert [(d.competency, d.evidence["element"]) for d in decisions] == [
            ("online_service_guidance", "u2")
        ]

    def test_needs_thirty_responses(self) -> None:
        from services.evaluation import ikm

        decisions = judge_quarter({"online": ikm.Tally(dict.fromkeys(ikm.ELEMENTS, 29), 29)})
        assert decisions == []

    def test_counter_behaviour_maps_to_service_ethics(self) -> None:
        from services.evaluation import ikm

        sums = dict.fromkeys(ikm.ELEMENTS, 4 * 40) | {"u7": 80}
        decisions = judge_quarter({"counter": ikm.Tally(sums, 40)})
        assert [d.competency for d in decisions] == ["service_ethics"]


class TestUnitRuleAcrossChannels:
    def low_tally(self, element: str, n: int, value: int = 2) -> "ikm.Tally":
        return ikm.Tally(dict.fromkeys(ikm.ELEMENTS, 4 * n) | {element: value * n}, n, (f"ev-{element}-{n}",))

    def test_twenty_per_channel_still_make_thirty_for_the_unit(self) -> None:
        tallies = {"online": self.low_tally("u7", 20), "counter": self.low_tally("u7", 20)}
        [decision] = judge_quarter(tallies)
        assert decision.competency == "service_ethics"
        assert decision.evidence == {"element": "u7", "channel": "all", "nrr": 2.0, "respondents": 40}
        assert decision.caused_by == ("ev-u7-20", "ev-u7-20")

    def test_low_online_procedure_is_online_guidance_even_when_counted_overall(self) -> None:
        tallies = {"online": self.low_tally("u2", 20, 1), "counter": self.low_tally("u2", 15)}
        [decision] = judge_quarter(tallies)
        assert decision.competency == "online_service_guidance"

    def test_online_only_weakness_with_a_good_counter(self) -> None:
        good = ikm.Tally(dict.fromkeys(ikm.ELEMENTS, 4 * 100), 100)
        tallies = {"online": self.low_tally("u2", 30), "counter": good}
        [decision] = judge_quarter(tallies)
        assert (decision.competency, decision.evidence["channel"]) == ("online_service_guidance", "online")

    def test_one_weakness_one_recommendation(self) -> None:
        decisions = judge_quarter({"online": self.low_tally("u2", 40)})
        assert [d.key for d in decisions] == [("kel-x", "2026-Q4", "u2", "online_service_guidance")]


class TestJpByQuarter:
    def test_counts_only_the_year_up_to_the_quarter(self) -> None:
        jp = {"2025-Q4": 30, "2026-Q1": 6, "2026-Q2": 8, "2026-Q4": 10}
        assert judgements.jp_by_end_of("2026-Q1", jp) == 6
        assert judgements.jp_by_end_of("2026-Q3", jp) == 14
        assert judgements.jp_by_end_of("2026-Q4", jp) == 24

    def test_shortfall_is_keyed_per_person_and_quarter(self) -> None:
        decision = judgements.judge_jp_shortfall("n", "2026-Q3", 14, RULES.jp)
        assert decision is not None
        assert decision.key == ("n", "2026-Q3")
        assert decision.evidence == {"jp": 14, "expected": 15, "gap": 1, "duty": 20}
        assert judgements.judge_jp_shortfall("n", "2026-Q3", 15, RULES.jp) is None

    def test_no_shortfall_for_a_quarter_before_the_appointment(self) -> None:
        """An admin run of 2000-Q1 used to recommend JP to someone appointed in May 2015."""
        nip = "198609262015051001"  # appointed 2015-05
        assert judgements.judge_jp_shortfall(nip, "2000-Q1", 0, RULES.jp) is None
        assert judgements.judge_jp_shortfall(nip, "2015-Q1", 0, RULES.jp) is None
        assert judgements.judge_jp_shortfall(nip, "2015-Q2", 0, RULES.jp) is not None
        assert judgements.judge_jp_shortfall(nip, "2026-Q3", 0, RULES.jp) is not None
        pppk = "199009132025242014"  # NI PPPK: appointed in 2025, the month not given
        assert judgements.judge_jp_shortfall(pppk, "2024-Q4", 0, RULES.jp) is None
        assert judgements.judge_jp_shortfall(pppk, "2025-Q1", 0, RULES.jp) is not None

    @pytest.mark.parametrize(
        ("quarter", "expected"), [("2026-Q1", 5), ("2026-Q2", 10), ("2026-Q3", 15), ("2026-Q4", 20)]
    )
    def test_the_pace_of_the_year(self, quarter: str, expected: int) -> None:
        assert judgements.judge_jp_shortfall("n", quarter, expected, RULES.jp) is None
        below = judgements.judge_jp_shortfall("n", quarter, expected - 1, RULES.jp)
        assert below is not None
        assert below.evidence["gap"] == 1

    @pytest.mark.parametrize(
        "pace", ["[5, 10, 15]", "[5, 12, 10, 20]", "[5, 10, 15, 25]", "[-1, 10, 15, 20]"]
    )
    def test_a_pace_that_does_not_climb_to_the_duty_is_refused(self, pace: str) -> None:
        text = rules.DEFAULT_FILE.read_text().replace("pace = [5, 10, 15, 20]", f"pace = {pace}")
        with pytest.raises(rules.RulesFileError, match=r"jp\.pace|jp: "):
            rules.parse(text)

    def test_the_paying_period_kind_is_configurable_and_checked(self) -> None:
        text = rules.DEFAULT_FILE.read_text()
        assert rules.parse(text.replace('pays = "year"', 'pays = "semester"')).appraisal.pays == "semester"
        with pytest.raises(rules.RulesFileError, match=r"appraisal\.pays"):
            rules.parse(text.replace('pays = "year"', 'pays = "month"'))
