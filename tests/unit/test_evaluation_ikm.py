from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.evaluation import ikm, rules
from services.evaluation.model import TallyShard
from services.evaluation.satisfaction import CHANNELS, SHARDS, counted, shard_key, shard_tallies
from shared.contract import events
from tests.builders import a_survey_submitted


def tally_of(responses: list[dict[str, int]]) -> ikm.Tally:
    return ikm.Tally({e: sum(r[e] for r in responses) for e in ikm.ELEMENTS}, len(responses))


class TestWorkedExample:
    def test_four_responses_checked_by_hand(self) -> None:
        # Sums: u1 = 4+3+2+2 = 11, every other element 4+3+3+2 = 12; n = 4.
        # NRR u1 = 2.75, others 3.00; IKM = (2.75 + 8 x 3) / 9 = 2.97222; x 25 = 74.31 -> C.
        responses = [dict.fromkeys(ikm.ELEMENTS, v) for v in (4, 3, 3, 2)]
        responses[2]["u1"] = 2
        index = ikm.compute(tally_of(responses))
        assert index is not None
        assert index.nrr["u1"] == 2.75
        assert index.nrr["u2"] == 3.0
        assert index.index == 2.9722
        assert index.converted == 74.31
        assert (index.grade, index.label) == ("C", "Kurang Baik")

    def test_all_fours_give_one_hundred(self) -> None:
        index = ikm.compute(tally_of([dict.fromkeys(ikm.ELEMENTS, 4)] * 3))
        assert index is not None
        assert (index.converted, index.grade) == (100.0, "A")

    def test_grade_bounds_apply_after_rounding(self) -> None:
        assert ikm.grade_of(88.31)[0] == "A"
        assert ikm.grade_of(88.30)[0] == "B"
        assert ikm.grade_of(76.61)[0] == "B"
        assert ikm.grade_of(76.60)[0] == "C"
        assert ikm.grade_of(65.00)[0] == "C"
        assert ikm.grade_of(64.99)[0] == "D"

    def test_unequal_weights_from_the_rules_file(self) -> None:
        # Rounded legacy weights 0.11 x 8 + 0.12 on u1; all elements 4 except u1 = 2:
        # IKM = 2 x 0.12 + 4 x 0.88 = 3.76; x 25 = 94.0 -> A.
        weights = dict.fromkeys(ikm.ELEMENTS, 0.11) | {"u1": 0.12}
        active = rules.IkmRules(unit_weights={"kel-candi": weights})
        responses = [dict.fromkeys(ikm.ELEMENTS, 4) | {"u1": 2}]
        index = ikm.compute(tally_of(responses), active.weights_for("kel-candi"))
        assert index is not None
        assert (index.converted, index.grade) == (94.0, "A")
        assert active.weights_for("kel-other")["u1"] == Fraction(1, 9)

    def test_weights_must_sum_to_one(self) -> None:
        with pytest.raises(ValueError, match="sum to 1"):
            rules.IkmRules(unit_weights={"kel-candi": dict.fromkeys(ikm.ELEMENTS, 0.11)})

    def test_no_responses_no_index(self) -> None:
        assert ikm.compute(ikm.EMPTY) is None

    def test_semester_and_year_sum_their_quarters(self) -> None:
        assert ikm.quarters_of("2026-S2") == ["2026-Q3", "2026-Q4"]
        assert ikm.quarters_of("2026") == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        assert ikm.quarters_of("2026-Q4") == ["2026-Q4"]


class InMemoryShards:
    """The shard states with a per-shard inbox, as the tally store keeps them."""

    def __init__(self) -> None:
        self.docs: dict[str, TallyShard] = {}
        self.seen: set[tuple[str, str]] = set()

    def apply(self, key: str, event_id: str, response: events.SurveySubmitted) -> bool:
        if (key, event_id) in self.seen:
            return False
        self.docs[key] = counted(self.docs.get(key, TallyShard()), response, event_id).state
        self.seen.add((key, event_id))
        return True

    def total(self) -> dict[str, ikm.Tally]:
        result = dict.fromkeys(CHANNELS, ikm.EMPTY)
        for shard in self.docs.values():
            for channel, tally in shard_tallies(shard).items():
                result[channel] += tally
        return result


answers = st.fixed_dictionaries({e: st.integers(1, 4) for e in ikm.ELEMENTS})
deliveries = st.lists(st.tuples(st.integers(0, 40), st.sampled_from(CHANNELS), answers), max_size=120)


@given(deliveries)
def test_incremental_shards_equal_a_scratch_computation(
    stream: list[tuple[int, str, dict[str, int]]],
) -> None:
    """Any delivery order with redeliveries: the summed shards equal a scratch computation."""
    shards = InMemoryShards()
    first: dict[str, events.SurveySubmitted] = {}
    for number, channel, values in stream:
        event_id = f"ev-{number}"
        response = first.setdefault(  # a redelivery carries the same body as the first delivery
            event_id, a_survey_submitted(unit_id="kel-candi", channel=channel, answers=values)
        )
        key = shard_key(response.unit_id, response.period, event_id)
        shards.apply(key, event_id, response)
    assert len(shards.docs) <= SHARDS
    incremental = shards.total()
    for channel in CHANNELS:
        scratch = tally_of([r.answers.model_dump() for r in first.values() if r.channel == channel])
        assert incremental[channel] == scratch
        assert ikm.compute(incremental[channel]) == ikm.compute(scratch)
    overall = sum(incremental.values(), ikm.EMPTY)
    assert ikm.compute(overall) == ikm.compute(tally_of([r.answers.model_dump() for r in first.values()]))


class TestExactArithmetic:
    """PermenPANRB 14/2017 with exact sums: half-up rounding of the converted value, then the grade."""

    def test_exactly_90_625_rounds_half_up(self) -> None:
        # Every element sums 29 over 8 answers: NRR 3.625 each, IKM 3.625, converted exactly 90.625.
        index = ikm.compute(ikm.Tally(dict.fromkeys(ikm.ELEMENTS, 29), 8))
        assert index is not None
        assert index.converted == 90.63

    def test_exactly_88_305_grades_a(self) -> None:
        # 5,000 answers summing 17,661 per element: NRR 3.5322, converted exactly 88.305 -> 88.31 -> A.
        index = ikm.compute(ikm.Tally(dict.fromkeys(ikm.ELEMENTS, 17_661), 5_000))
        assert index is not None
        assert (index.converted, index.grade) == (88.31, "A")

    def test_rounded_legacy_weights_are_exact_too(self) -> None:
        weights = dict.fromkeys(ikm.ELEMENTS, 0.11) | {"u1": 0.12}
        index = ikm.compute(ikm.Tally(dict.fromkeys(ikm.ELEMENTS, 29), 8), weights)
        assert index is not None
        assert index.converted == 90.63


class TestRulesFileChecks:
    """A rules file that would compute nonsense is refused at start-up, naming the problem."""

    def test_negative_weights_are_refused(self) -> None:
        weights = dict.fromkeys(ikm.ELEMENTS, 0.25) | {"u1": -0.5, "u2": -0.25, "u3": -0.25}
        with pytest.raises(ValueError, match="non-negative"):
            rules.IkmRules(unit_weights={"kel-candi": weights})

    def test_every_element_needs_a_competency(self, tmp_path: object) -> None:
        text = rules.DEFAULT_FILE.read_text().replace('u9 = "change_management"', "")
        with pytest.raises(ValueError, match="u9"):
            rules.parse(text)

    def test_a_competency_must_be_configured(self) -> None:
        text = rules.DEFAULT_FILE.read_text().replace('u7 = "service_ethics"', 'u7 = "juggling"')
        with pytest.raises(ValueError, match="juggling"):
            rules.parse(text)

    def test_thresholds_must_be_in_range(self) -> None:
        text = rules.DEFAULT_FILE.read_text().replace("nrr_below = 2.6", "nrr_below = 7")
        with pytest.raises(ValueError, match="nrr_below"):
            rules.parse(text)
        text = rules.DEFAULT_FILE.read_text().replace("reward_min_score = 85", "reward_min_score = 60")
        with pytest.raises(ValueError, match="retrain_below"):
            rules.parse(text)
