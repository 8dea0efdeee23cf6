"""Training use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt
from typing import Any

import pytest

from services.training.handlers import catalogue, completions, groups, retraining, xapi
from services.training.model import records
from services.training.model.groups import ProjectGroup, completion_id
from services.training.model.programmes import (
    Assessment,
    CapacityError,
    Program,
    ProgramExistsError,
    ProgramFullError,
    ProgramPatch,
)
from services.training.model.statements import MAX_KEPT, KeptFullError, Month
from services.training.model.xapi import Result, Statement, UnmappableBatchError
from services.training.repository import Repositories
from shared.contract import envelope, events
from tests.builders import a_training_completed, random_id, random_nip, wrapped
from tests.fakes import (
    InMemoryGroups,
    InMemoryMonths,
    InMemoryProgrammes,
    InMemoryRecords,
    InMemoryTrainees,
    InMemoryUnits,
)

NOW = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
SOON = NOW + dt.timedelta(days=10)


class Fakes:
    def __init__(self) -> None:
        self.programmes, self.people, self.units = InMemoryProgrammes(), InMemoryTrainees(), InMemoryUnits()
        self.records, self.months, self.groups = InMemoryRecords(), InMemoryMonths(), InMemoryGroups()
        self.repos = Repositories(
            programmes=self.programmes,
            people=self.people,
            units=self.units,
            records=self.records,
            months=self.months,
            groups=self.groups,
        )


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


async def a_programme(fakes: Fakes, **changes: Any) -> Program:
    fields: dict[str, Any] = {
        "program_id": random_id("prog"),
        "title": "Etika pelayanan",
        "competency": "service_ethics",
        "method": "classroom",
        "jp": 6,
        "starts_at": SOON,
        "ends_at": SOON + dt.timedelta(days=1),
        "capacity": 2,
    }
    program = Program.model_validate(fields | changes)
    await catalogue.create_programme(program, repos=fakes.repos)
    return program


def a_recommendation(**changes: Any) -> envelope.CloudEvent[events.RetrainingRecommended]:
    fields: dict[str, Any] = {
        "recommendation_id": random_id("rec"),
        "nip": random_nip(),
        "competency": "service_ethics",
        "rule_id": "appraisal_low",
        "reason": "KURANG",
        "evidence": {},
        "caused_by": (random_id(),),
    }
    return wrapped(events.RetrainingRecommended(**(fields | changes)))


class TestRecordCompletion:
    async def test_a_redelivered_completion_is_kept_and_published_once(self, fakes: Fakes) -> None:
        completed = wrapped(a_training_completed())
        assert await completions.record_completion(completed, repos=fakes.repos)
        assert not await completions.record_completion(completed, repos=fakes.repos)
        assert [e.id for e in fakes.records.published] == [completed.id]
        record = await fakes.records.get(records.record_key(completed.data.nip, 2026))
        assert record is not None
        assert len(record.completions) == 1
        unit = await fakes.units.get(completed.data.unit_id)
        assert unit is not None
        assert list(unit.members.values()) == [completed.data.nip]

    async def test_a_pass_closes_the_open_recommendation_in_its_competency(self, fakes: Fakes) -> None:
        recommended = a_recommendation()
        nip = recommended.data.nip
        assert nip is not None
        await retraining.recommend(recommended, repos=fakes.repos, now=NOW)  # no programme: stays open
        done = a_training_completed(
            nip=nip, competency="service_ethics", completed_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        )
        await completions.record_completion(wrapped(done), repos=fakes.repos)
        person = await fakes.people.get(nip)
        assert person is not None
        assert person.status_of(recommended.data.recommendation_id) == "done"


class TestCatalogue:
    async def test_a_retried_programme_is_not_created_twice_and_a_different_one_conflicts(
        self, fakes: Fakes
    ) -> None:
        program = await a_programme(fakes)
        _, created = await catalogue.create_programme(program, repos=fakes.repos)
        assert not created
        with pytest.raises(ProgramExistsError):
            await catalogue.create_programme(program.model_copy(update={"jp": 7}), repos=fakes.repos)

    async def test_capacity_cannot_drop_below_the_seats_taken(self, fakes: Fakes) -> None:
        program = await a_programme(fakes, capacity=2)
        for _ in range(2):
            await catalogue.enrol(program.program_id, random_nip(), None, repos=fakes.repos)
        with pytest.raises(CapacityError):
            await catalogue.patch_programme(program.program_id, ProgramPatch(capacity=1), repos=fakes.repos)
        patched = await catalogue.patch_programme(
            program.program_id, ProgramPatch(title="Baru"), repos=fakes.repos
        )
        assert (patched.title, patched.capacity) == ("Baru", 2)


class TestEnrolments:
    async def test_enrol_once_then_full_then_withdraw(self, fakes: Fakes) -> None:
        program = await a_programme(fakes, capacity=1)
        nip = random_nip()
        assert await catalogue.enrol(program.program_id, nip, "kel-candi", repos=fakes.repos, now=NOW)
        assert not await catalogue.enrol(program.program_id, nip, "kel-candi", repos=fakes.repos, now=NOW)
        with pytest.raises(ProgramFullError):
            await catalogue.enrol(program.program_id, random_nip(), None, repos=fakes.repos)
        person = await fakes.people.get(nip)
        assert person is not None
        entry = person.enrolment(program.program_id)
        assert (person.unit_id, entry and entry.status) == ("kel-candi", "enrolled")
        assert await catalogue.withdraw(program.program_id, nip, repos=fakes.repos)
        assert not await catalogue.withdraw(program.program_id, nip, repos=fakes.repos)
        person = await fakes.people.get(nip)
        assert person is not None
        entry = person.enrolment(program.program_id)
        assert entry is not None
        assert entry.status == "withdrawn"
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == []


class TestGroups:
    async def test_a_retried_assessment_completes_each_member_once(self, fakes: Fakes) -> None:
        program = await a_programme(fakes, method="project_based")
        members = [random_nip() for _ in range(3)]
        group = ProjectGroup(
            group_id=random_id("grp"),
            program_id=program.program_id,
            unit_id="kel-candi",
            brief="b",
            members=members,
        )
        assert (await groups.create_group(group, repos=fakes.repos))[1]
        assert not (await groups.create_group(group, repos=fakes.repos))[1]
        assessment = Assessment(score=81, passed=True, completed_at=NOW)
        first = await groups.assess(group.group_id, assessment, repos=fakes.repos)
        again = await groups.assess(group.group_id, assessment, repos=fakes.repos)
        assert first == again == [completion_id(group.group_id, nip) for nip in members]
        assert [e.id for e in fakes.records.published] == first
        assert {e.data.model_dump()["group_id"] for e in fakes.records.published} == {group.group_id}


class TestRecommend:
    async def test_a_redelivered_recommendation_takes_one_seat_and_schedules_once(self, fakes: Fakes) -> None:
        program = await a_programme(fakes, capacity=1)
        recommended = a_recommendation()
        nip = recommended.data.nip
        assert nip is not None
        for _ in range(3):
            assert await retraining.recommend(recommended, repos=fakes.repos, now=NOW) == {
                nip: program.program_id
            }
        assert [e.type for e in fakes.people.published] == ["RetrainingScheduled"]
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == [nip]

    async def test_a_unit_recommendation_reaches_the_members_the_service_knows(self, fakes: Fakes) -> None:
        nips = sorted(random_nip() for _ in range(2))
        for nip in nips:
            await completions.record_completion(
                wrapped(a_training_completed(nip=nip, unit_id="kel-jomblang", passed=False)),
                repos=fakes.repos,
            )
        found = await retraining.recommend(
            a_recommendation(nip=None, unit_id="kel-jomblang"), repos=fakes.repos, now=NOW
        )
        assert found == dict.fromkeys(nips)


class TestTakeStatements:
    def statement(self, program_id: str, **changes: Any) -> Statement:
        fields: dict[str, Any] = {
            "id": random_id("st"),
            "nip": random_nip(),
            "verb": "http://adlnet.gov/expapi/verbs/passed",
            "object_id": f"urn:mutu:program:{program_id}",
            "timestamp": NOW,
            "unit_id": "kel-candi",
            "result": Result(program_id=program_id, score=88, passed=True),
        }
        return Statement(**(fields | changes))

    async def test_a_batch_with_an_unknown_programme_changes_nothing(self, fakes: Fakes) -> None:
        program = await a_programme(fakes)
        batch = [(0, self.statement(program.program_id)), (1, self.statement("nowhere"))]
        with pytest.raises(UnmappableBatchError) as refused:
            await xapi.take_statements(batch, [], repos=fakes.repos, now=NOW)
        assert [p["loc"] for p in refused.value.problems] == [["body", 1, "object", "id"]]
        assert fakes.records.published == []

    async def test_completions_are_published_and_other_verbs_kept_once(self, fakes: Fakes) -> None:
        program = await a_programme(fakes)
        done = self.statement(program.program_id)
        other = self.statement(
            program.program_id, verb="http://adlnet.gov/expapi/verbs/attempted", result=None
        )
        for _ in range(2):
            await xapi.take_statements([(0, done), (1, other)], [], repos=fakes.repos, now=NOW)
        assert [e.id for e in fakes.records.published] == [done.id]
        month = await fakes.months.get(f"{other.nip}:2026-11")
        assert month is not None
        assert month.count == 1

    async def test_a_full_month_refuses_the_batch(self, fakes: Fakes) -> None:
        other = self.statement("p", verb="http://adlnet.gov/expapi/verbs/attempted", result=None)
        fakes.months.states[f"{other.nip}:2026-11"] = Month(count=MAX_KEPT)
        with pytest.raises(KeptFullError, match=f"at most {MAX_KEPT}"):
            await xapi.take_statements([(0, other)], [], repos=fakes.repos, now=NOW)
