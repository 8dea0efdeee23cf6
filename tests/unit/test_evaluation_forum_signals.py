"""Forum signals: complaints per unit, quarter and topic; the forum rule on closed quarters; attendance."""

import datetime as dt
from pathlib import Path

import pytest

from services.evaluation import forum_signals
from services.evaluation.closing import Closures
from services.evaluation.forum_rule import ForumRule
from services.evaluation.model import ForumQuarter, Person, Recommendation, UnitQuarter
from shared import errors
from shared.contract import events, topics
from shared.contract.calendar import Calendar
from shared.contract.fields import COMPETENCIES
from tests.builders import a_feedback_received, a_forum_held, random_id, random_nip, wrapped
from tests.fakes import InMemoryForumQuarters, InMemoryQuarterCloses, InMemoryUnitQuarters

TOPICS = topics.load()
NOW = dt.datetime(2026, 11, 29, 10, tzinfo=dt.UTC)  # 2026-Q3 closed (end + 7 days), 2026-Q4 not
IN_Q3 = dt.datetime(2026, 8, 15, 3, tzinfo=dt.UTC)
UNIT = "kel-candi"


def quarter_of(*items: events.FeedbackReceived, period: str = "2026-Q3") -> ForumQuarter:
    quarter = ForumQuarter()
    for item in items:
        outcome = forum_signals.counted(quarter, item, random_id(), period)
        quarter = outcome.state if outcome else quarter
    return quarter


def complaints(
    n: int, topic_code: str | None = "antrean", **changes: object
) -> list[events.FeedbackReceived]:
    return [
        a_feedback_received(**({"unit_id": UNIT, "topic_code": topic_code, "received_at": IN_Q3} | changes))
        for _ in range(n)
    ]


def judge(quarter: ForumQuarter, minimum: int = 5) -> list[Recommendation]:
    return forum_signals.judge_forum(UNIT, "2026-Q3", quarter, topics=TOPICS, minimum=minimum)


class TestTopics:
    def test_the_default_topics_name_known_competencies(self) -> None:
        assert "antrean" in TOPICS
        assert TOPICS.unknown_competencies(COMPETENCIES) == []

    def test_an_unknown_code_is_invalid_with_a_field_level_reason(self) -> None:
        with pytest.raises(errors.InvalidError) as refused:
            TOPICS.require("no_such_topic")
        assert refused.value.reasons[0]["loc"] == ["body", "topic_code"]
        TOPICS.require(None)  # events from before topics carry none

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ('[[topics]]\ncode = "a"\nname = "A"\ncompetency = "x"\n' * 2, "listed twice"),
            ('[[topics]]\ncode = "Bad Code"\nname = "A"\ncompetency = "x"\n', r"topics\[0\]\.code"),
            ("", "no topics"),
        ],
    )
    def test_a_bad_topics_file_is_refused_naming_the_problem(
        self, tmp_path: Path, text: str, reason: str
    ) -> None:
        path = tmp_path / "topics.toml"
        path.write_text(text)
        with pytest.raises(topics.TopicsFileError, match=reason):
            topics.load(path)

    def test_a_topic_whose_competency_the_rules_lack_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "topics.toml"
        path.write_text('[[topics]]\ncode = "a"\nname = "A"\ncompetency = "astrology"\n')
        assert topics.load(path).unknown_competencies(COMPETENCIES) == ["a -> astrology"]


class TestJudgeForum:
    def test_five_complaints_on_one_topic_recommend_once_citing_them(self) -> None:
        items = complaints(5)
        [found] = judge(quarter_of(*items))
        assert (found.rule_id, found.competency) == ("forum_complaints", "digital_service")
        assert found.key == (UNIT, "2026-Q3", "topic", "antrean")
        assert sorted(found.evidence["feedback_ids"]) == sorted(i.feedback_id for i in items)
        assert found.evidence["complaints"] == 5
        assert len(found.caused_by) == 5

    def test_four_complaints_do_not(self) -> None:
        assert judge(quarter_of(*complaints(4))) == []

    def test_the_minimum_is_a_setting(self) -> None:
        assert len(judge(quarter_of(*complaints(3)), minimum=3)) == 1

    def test_other_categories_other_topics_and_no_topic_do_not_add_up(self) -> None:
        quarter = quarter_of(
            *complaints(4),
            *complaints(1, "sarana"),
            *complaints(3, None),
            *complaints(2, category="suggestion"),
        )
        assert judge(quarter) == []
        by_topic = forum_signals.complaints_by_topic(quarter)
        assert {code: len(items) for code, items in by_topic.items()} == {"": 3, "antrean": 4, "sarana": 1}

    def test_complaints_without_a_topic_or_under_an_unknown_code_never_fire(self) -> None:
        assert judge(quarter_of(*complaints(9, None), *complaints(9, "dropped_topic"))) == []

    def test_an_item_counts_once_per_feedback_id(self) -> None:
        item = complaints(1)[0]
        quarter = quarter_of(item)
        assert forum_signals.counted(quarter, item, random_id(), "2026-Q3") is None
        assert judge(quarter_of(*[item] * 5)) == []


class TestForumRule:
    @pytest.fixture
    def rule(self) -> ForumRule:
        calendar = Calendar("Asia/Jakarta")
        closures = Closures(InMemoryQuarterCloses(), calendar, clock=lambda: NOW)
        return ForumRule(InMemoryForumQuarters(), InMemoryUnitQuarters(), TOPICS, closures, calendar, delay=0)

    async def recorded(self, rule: ForumRule, items: list[events.FeedbackReceived]) -> None:
        """Record (each twice: a redelivery), then wait for the judging of closed quarters it started."""
        for item in items:
            message = wrapped(item)
            await rule.record(message)
            await rule.record(message)
        await rule.soon.settled()

    def fired(self, rule: ForumRule) -> list[events.RetrainingRecommended]:
        quarters = rule._quarters
        assert isinstance(quarters, InMemoryUnitQuarters)
        return [e.data for e in quarters.published if isinstance(e.data, events.RetrainingRecommended)]

    async def test_a_closed_quarter_with_five_complaints_recommends_once(self, rule: ForumRule) -> None:
        await self.recorded(rule, complaints(5))  # late data for a closed quarter: judged at once
        assert await rule.evaluate(UNIT, "2026-Q3", NOW) == 0  # judged again: the same firing key
        [recommended] = self.fired(rule)
        assert (recommended.unit_id, recommended.competency, recommended.rule_id) == (
            UNIT,
            "digital_service",
            "forum_complaints",
        )

    async def test_four_make_none_and_an_open_quarter_waits(self, rule: ForumRule) -> None:
        await self.recorded(rule, complaints(4))
        in_q4 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
        await self.recorded(rule, complaints(6, received_at=in_q4))
        assert await rule.evaluate(UNIT, "2026-Q3", NOW) == 0
        assert await rule.evaluate(UNIT, "2026-Q4", NOW) == 0
        assert self.fired(rule) == []
        signals = await rule.signals(UNIT, "2026-Q4")
        assert (signals["closed"], signals["units"][0]["topics"][0]["complaints"]) == (False, 6)

    async def test_a_late_complaint_tips_a_closed_quarter(self, rule: ForumRule) -> None:
        await self.recorded(rule, complaints(4))
        assert self.fired(rule) == []
        await self.recorded(rule, complaints(1))
        assert len(self.fired(rule)) == 1


class TestOutcome:
    def fired_quarter(self) -> UnitQuarter:
        [decision] = judge(quarter_of(*complaints(5)))
        outcome = forum_signals.forum_fired(UnitQuarter(), UNIT, "2026-Q3", [decision], NOW)
        assert outcome is not None
        return outcome.state

    def test_done_when_a_later_quarter_with_feedback_has_fewer_complaints(self) -> None:
        later = [("2026-Q4", None), ("2027-Q1", quarter_of(*complaints(2), period="2027-Q1"))]
        outcome = forum_signals.forum_outcomes(self.fired_quarter(), later, 5, 4, NOW)
        assert outcome is not None
        [firing] = outcome.state.firings.values()
        assert firing.status == "done"
        assert outcome.state.open_recs == 0

    def test_quarters_without_feedback_are_no_evidence(self) -> None:
        later = [(f"2027-Q{n}", ForumQuarter()) for n in range(1, 5)]
        assert forum_signals.forum_outcomes(self.fired_quarter(), later, 5, 4, NOW) is None

    def test_expired_after_four_later_quarters_still_over_the_minimum(self) -> None:
        later = [(f"2027-Q{n}", quarter_of(*complaints(5), period=f"2027-Q{n}")) for n in range(1, 5)]
        outcome = forum_signals.forum_outcomes(self.fired_quarter(), later, 5, 4, NOW)
        assert outcome is not None
        assert [f.status for f in outcome.state.firings.values()] == ["expired"]


class TestAttendance:
    def test_a_forum_is_on_the_record_once(self) -> None:
        nip = random_nip()
        held = wrapped(a_forum_held(attended_by=(nip,)))
        outcome = forum_signals.attended(Person(), held)
        assert outcome is not None
        [entry] = outcome.state.forums.values()
        assert (entry.forum_id, entry.date, entry.unit_id) == (held.data.forum_id, "2026-08-12", "kel-candi")
        assert forum_signals.attended(outcome.state, held) is None

    def test_a_year_keeps_at_most_its_bound(self) -> None:
        person = Person()
        for _ in range(forum_signals.FORUMS_PER_YEAR):
            outcome = forum_signals.attended(person, wrapped(a_forum_held()))
            assert outcome is not None
            person = outcome.state
        assert forum_signals.attended(person, wrapped(a_forum_held())) is None
        next_year = wrapped(a_forum_held(date=dt.date(2027, 1, 5)))
        assert forum_signals.attended(person, next_year) is not None
