"""Behaviour every adapter of evaluation's ports has; subclasses say how to build one (fake or Mongo)."""

import datetime as dt

from services.evaluation import decisions, forum_signals, handlers, rules, satisfaction
from services.evaluation.model import Person, QuarterClose, Recommendation, Training, UnitQuarter
from services.evaluation.repository import ForumQuarters, People, QuarterCloses, Tallies, UnitQuarters
from shared.persistence.state_store import Outcome
from tests.builders import (
    a_feedback_received,
    a_forum_held,
    a_survey_submitted,
    a_training_completed,
    random_id,
    random_nip,
    wrapped,
)

RULES = rules.load()


class PeopleContract:
    """`people` fixture: an empty People adapter."""

    async def test_a_training_is_applied_once_per_event_id(self, people: People) -> None:
        nip = random_nip()
        event = wrapped(a_training_completed(nip=nip, jp=6, score=95))
        decide = lambda person: decisions.on_training(person, event, RULES)  # noqa: E731
        assert await people.update(nip, decide, event_id=event.id)
        assert not await people.update(nip, decide, event_id=event.id)
        person = await people.get(nip)
        assert person is not None
        assert person.jp == {"2026": 6}
        assert [f.rule_id for f in person.firings.values()] == ["training_high_score"]

    async def test_the_person_holding_a_recommendation_is_found(self, people: People) -> None:
        nip = random_nip()
        event = wrapped(a_training_completed(nip=nip, score=40, passed=False))
        await people.update(nip, lambda p: decisions.on_training(p, event, RULES), event_id=event.id)
        person = await people.get(nip)
        assert person is not None
        [key] = person.firings
        assert await people.holding(key) == nip
        assert await people.holding("nothing-here") is None

    async def test_open_recommendations_are_listed_with_their_person(self, people: People) -> None:
        failed, passed = random_nip(), random_nip()
        for nip, score in ((failed, 40), (passed, 95)):
            event = wrapped(a_training_completed(nip=nip, score=score, passed=score > 50))
            await people.update(nip, lambda p, e=event: decisions.on_training(p, e, RULES), event_id=event.id)
        listed = [(t["nip"], f.rule_id) async for t, f in people.recommendations(open_only=True)]
        assert (failed, "training_low_score") in listed
        assert passed not in {nip for nip, _ in listed}
        in_unit = [t["nip"] async for t, _ in people.recommendations(open_only=True, unit_id="kel-candi")]
        assert failed in in_unit
        assert [t async for t, _ in people.recommendations(open_only=False, unit_id="kel-nowhere")] == []
        assert {failed, passed} <= {nip async for nip in people.nips()}

    async def test_a_forum_attended_is_on_the_record_once(self, people: People) -> None:
        nip = random_nip()
        held = wrapped(a_forum_held(attended_by=(nip,)))
        assert await handlers.record_attendance(held, people=people) == 1
        assert await handlers.record_attendance(held, people=people) == 0
        person = await people.get(nip)
        assert person is not None
        assert [f.forum_id for f in person.forums.values()] == [held.data.forum_id]

    async def test_passers_are_found_by_programme_and_by_quarter_of_a_pass(self, people: People) -> None:
        program, passed, failed = random_id("prog"), random_nip(), random_nip()
        in_q2 = dt.datetime(2026, 5, 5, 9, tzinfo=dt.UTC)
        for nip, score in ((passed, 95), (failed, 40)):
            event = wrapped(
                a_training_completed(
                    nip=nip, program_id=program, score=score, passed=score > 50, completed_at=in_q2
                )
            )
            await people.update(nip, lambda p, e=event: decisions.on_training(p, e, RULES), event_id=event.id)
        assert [nip for nip, _ in await people.passers(program_id=program)] == [passed]
        assert passed in {nip for nip, _ in await people.passers(quarters=["2026-Q2", "2026-Q3"])}
        assert await people.passers(program_id=program, quarters=["2026-Q1"]) == []
        [(_, person)] = await people.passers(program_id=program)
        assert person.programs == (program,)
        assert person.firings == {}  # left out of the read
        assert passed not in {nip async for nip in people.unindexed()}

    async def test_a_record_from_before_the_pass_index_is_indexed_once(self, people: People) -> None:
        nip, event = random_nip(), wrapped(a_training_completed(score=90))
        training = Training.model_validate(event.data.model_dump(mode="json") | {"event_id": event.id})

        def as_written_before(person: Person) -> Outcome[Person]:  # the trainings, no index fields
            return Outcome(person.model_copy(update={"trainings": {"t1": training}}))

        await people.update(nip, as_written_before)
        assert nip in {n async for n in people.unindexed()}
        assert await people.passers(program_id=event.data.program_id) == []
        await handlers.reindex_passes(people=people, rules=RULES)
        assert [n for n, _ in await people.passers(program_id=event.data.program_id)] == [nip]
        assert nip not in {n async for n in people.unindexed()}


class ForumQuartersContract:
    """`forums` fixture: an empty ForumQuarters adapter."""

    async def test_an_item_counts_once_per_feedback_id_and_is_found_by_period(
        self, forums: ForumQuarters
    ) -> None:
        unit = f"kel-{random_id('u')[3:]}"
        item = a_feedback_received(unit_id=unit, topic_code="antrean")
        key = f"{unit}:2026-Q4"

        async def count(event_id: str) -> bool:
            return await forums.update(
                key,
                lambda q: forum_signals.counted(q, item, event_id, "2026-Q4"),
                event_id=forum_signals.item_key(item.feedback_id),
            )

        assert await count(random_id())
        assert not await count(random_id())  # the same feedback under another event id
        [found] = await forums.of_period(unit, "2026-Q4")
        assert [(i.feedback_id, i.topic_code) for i in found.items.values()] == [
            (item.feedback_id, "antrean")
        ]
        assert await forums.of_period(unit, "2026-Q3") == []
        assert unit in {q.unit_id for q in await forums.of_period(None, "2026-Q4")}


class UnitQuartersContract:
    """`quarters` fixture: an empty UnitQuarters adapter."""

    async def test_unit_recommendations_name_their_unit(self, quarters: UnitQuarters) -> None:
        unit = f"kel-{random_id('u')[-8:]}"

        found = [Recommendation("unit_element_low", "service_ethics", "low u7", (unit, "2026-Q4", "u7"))]

        def decide(quarter: UnitQuarter) -> Outcome[UnitQuarter] | None:
            return satisfaction.unit_fired(quarter, unit, "2026-Q4", found)

        await quarters.update(f"{unit}:2026-Q4", decide)
        await quarters.update(f"{unit}:2026-Q4", decide)
        listed = [
            (t["unit_id"], f.competency) async for t, f in quarters.recommendations() if t["unit_id"] == unit
        ]
        assert listed == [(unit, "service_ethics")]
        assert [
            (t["unit_id"], f.competency) async for t, f in quarters.recommendations(unit_id=unit)
        ] == listed
        assert [t async for t, _ in quarters.recommendations(unit_id="kel-nowhere")] == []
        [key] = [k for q in await quarters.with_open(unit) for k in q.firings]
        assert await quarters.holding(key) == f"{unit}:2026-Q4"
        assert await quarters.holding("nothing-here") is None
        assert [q.period for q in await quarters.with_open(unit)] == ["2026-Q4"]

    async def test_unit_quarters_with_a_seat_in_a_programme_are_found(self, quarters: UnitQuarters) -> None:
        unit, program = f"kel-{random_id('u')[-8:]}", random_id("prog")
        found = [Recommendation("unit_element_low", "service_ethics", "low u7", (unit, "2026-Q3", "u7"))]
        await quarters.update(f"{unit}:2026-Q3", lambda q: satisfaction.unit_fired(q, unit, "2026-Q3", found))
        [key] = [k for q in await quarters.with_open(unit) for k in q.firings]
        assert program not in {f.program_id for q in await quarters.seated(None) for f in q.firings.values()}
        recommendation_id = (await quarters.with_open(unit))[0].firings[key].id
        now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
        await quarters.update(
            f"{unit}:2026-Q3",
            lambda q: satisfaction.unit_seat(
                q, recommendation_id, random_nip(), program, taken=True, now=now
            ),
        )
        assert [q.unit_id for q in await quarters.seated(program)] == [unit]
        assert await quarters.seated(random_id("prog")) == []


class QuarterClosesContract:
    """`closes` fixture: an empty QuarterCloses adapter."""

    async def test_the_latest_closed_quarter_is_known(self, closes: QuarterCloses) -> None:
        assert await closes.latest_closed() is None
        for period in ("2025-Q4", "2026-Q2", "2026-Q1"):

            def close(state: QuarterClose, period: str = period) -> Outcome[QuarterClose]:
                return Outcome(
                    state.model_copy(update={"period": period, "closed_at": "2026-07-08T00:00:00+00:00"})
                )

            await closes.update(period, close)
        assert await closes.latest_closed() == "2026-Q2"
        found = await closes.get("2026-Q1")
        assert found is not None
        assert found.closed_at is not None


class TalliesContract:
    """`tallies` fixture: an empty Tallies adapter."""

    async def test_a_redelivered_response_counts_once_and_reads_by_unit_and_quarter(
        self, tallies: Tallies
    ) -> None:
        unit = f"kel-{random_id('u')[-8:]}"
        sent = [wrapped(a_survey_submitted(unit_id=unit, channel="counter")) for _ in range(5)]
        for response in sent + sent[:2]:
            await handlers.count_response(response, tallies=tallies)
        totals = satisfaction.by_unit(await tallies.shards(unit, ["2026-Q4"]))
        assert totals[unit]["counter"].count == 5
        assert await tallies.shards(unit, ["2026-Q3"]) == []
