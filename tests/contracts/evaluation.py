"""Behaviour every adapter of evaluation's ports has; subclasses say how to build one (fake or Mongo)."""

from services.evaluation import decisions, handlers, rules, satisfaction
from services.evaluation.model import Recommendation, UnitQuarter
from services.evaluation.repository import People, Tallies, UnitQuarters
from shared.persistence.state_store import Outcome
from tests.builders import a_survey_submitted, a_training_completed, random_id, random_nip, wrapped

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

    async def test_open_recommendations_are_listed_with_their_person(self, people: People) -> None:
        failed, passed = random_nip(), random_nip()
        for nip, score in ((failed, 40), (passed, 95)):
            event = wrapped(a_training_completed(nip=nip, score=score, passed=score > 50))
            await people.update(nip, lambda p, e=event: decisions.on_training(p, e, RULES), event_id=event.id)
        listed = [(t["nip"], f.rule_id) async for t, f in people.recommendations(open_only=True)]
        assert (failed, "training_low_score") in listed
        assert passed not in {nip for nip, _ in listed}
        assert {failed, passed} <= {nip async for nip in people.nips()}


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
