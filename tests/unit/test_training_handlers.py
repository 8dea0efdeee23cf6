"""Training use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt
from typing import Any

import pydantic
import pytest

from services.training.handlers import catalogue, completions, groups, retraining, roster, xapi
from services.training.model import records, views
from services.training.model.groups import ProjectGroup, completion_id
from services.training.model.people import Person as Trainee
from services.training.model.programmes import (
    Assessment,
    CapacityError,
    Program,
    ProgramExistsError,
    ProgramFullError,
    ProgramPatch,
)
from services.training.model.roster import RosterEntry
from services.training.model.statements import MAX_KEPT, KeptFullError, Month
from services.training.model.xapi import Result, Statement, UnmappableBatchError
from services.training.repository import Repositories
from shared.contract import envelope, events
from shared.contract.calendar import Calendar
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
    now = changes.pop("now", None)
    program = Program.model_validate(fields | changes)
    await catalogue.create_programme(program, repos=fakes.repos, now=now)
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

    async def test_a_pass_leaves_the_recommendation_to_evaluation(self, fakes: Fakes) -> None:
        """Training used to close it itself (a pass with score 60 too); evaluation decides now."""
        recommended = a_recommendation()
        nip = recommended.data.nip
        assert nip is not None
        await retraining.recommend(recommended, repos=fakes.repos, now=NOW)  # no programme: stays open
        done = a_training_completed(
            nip=nip, competency="service_ethics", score=60, completed_at=dt.datetime.now(dt.UTC)
        )
        await completions.record_completion(wrapped(done), repos=fakes.repos)
        person = await fakes.people.get(nip)
        assert person is not None
        assert person.status_of(recommended.data.recommendation_id) == "open"

    @pytest.mark.parametrize(
        ("completed_at", "year"),
        [
            (dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC), 2026),  # 00:00 WIB on 1 January
            (dt.datetime(2025, 12, 31, 23, 59, tzinfo=dt.UTC), 2026),  # 06:59 WIB
            (dt.datetime(2026, 1, 1, 6, 59, tzinfo=dt.timezone(dt.timedelta(hours=7))), 2026),
            (dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), 2026),  # 06:00 WIB
            (dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))), 2025),  # 22:30 WIB
        ],
        ids=["Z-00:00WIB", "Z-06:59WIB", "+07:00", "+09:00", "+09:00-still-2025"],
    )
    async def test_a_completion_around_new_year_counts_in_its_programme_year(
        self, fakes: Fakes, completed_at: dt.datetime, year: int
    ) -> None:
        done = a_training_completed(completed_at=completed_at)
        await completions.record_completion(wrapped(done), repos=fakes.repos, calendar=Calendar())
        assert await fakes.records.get(records.record_key(done.nip, year)) is not None
        assert (
            await fakes.records.get(records.record_key(done.nip, year - 1 if year == 2026 else 2026)) is None
        )
        [record] = await fakes.records.of_person(done.nip)
        shown = views.trainings(done.nip, Trainee(), [record], minutes_per_jp=45, year=year)
        assert [entry["year"] for entry in shown["years"]] == [year]


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


def on_roster(unit_id: str, *, active: bool = True, name: str | None = None) -> RosterEntry:
    return RosterEntry(unit_id=unit_id, employee_type="PNS", name=name, active=active)


class TestRoster:
    @pytest.mark.parametrize("active", ["yes", "false", 1, 0, "0"])
    def test_active_is_a_json_boolean(self, active: object) -> None:
        """`"active": "yes"` or `1` was taken as true: a careless client's value silently changed meaning."""
        with pytest.raises(pydantic.ValidationError, match="active"):
            RosterEntry.model_validate({"unit_id": "kel-candi", "employee_type": "PNS", "active": active})

    async def test_the_same_entry_again_publishes_nothing_and_a_change_publishes_once(
        self, fakes: Fakes
    ) -> None:
        nip = random_nip()
        for _ in range(2):
            await roster.put_on_roster(nip, on_roster("kel-candi", name="Sri"), repos=fakes.repos, now=NOW)
        await roster.put_on_roster(nip, on_roster("kel-candi"), repos=fakes.repos, now=NOW)  # name kept
        assert [(e.type, e.data.model_dump()) for e in fakes.people.published] == [
            (
                "RosterChanged",
                {"nip": nip, "unit_id": "kel-candi", "employee_type": "PNS", "active": True},
            )
        ]
        await roster.put_on_roster(nip, on_roster("kel-jomblang"), repos=fakes.repos, now=NOW)
        moved = fakes.people.published[-1]
        assert (moved.data.model_dump()["unit_id"], len(fakes.people.published)) == ("kel-jomblang", 2)
        assert moved.id != fakes.people.published[0].id
        person = await fakes.people.get(nip)
        assert person is not None
        assert person.roster is not None
        assert (person.roster.name, person.unit_id) == ("Sri", "kel-jomblang")
        old, new = await fakes.units.get("kel-candi"), await fakes.units.get("kel-jomblang")
        assert old is not None
        assert new is not None
        assert (list(old.roster.values()), list(new.roster.values())) == ([], [nip])

    async def test_members_show_jp_passed_this_year_open_recommendations_and_the_last_training(
        self, fakes: Fakes
    ) -> None:
        nip, gone, unit_id = random_nip(), random_nip(), "kel-kaliwiru"
        await roster.put_on_roster(nip, on_roster(unit_id, name="Budi"), repos=fakes.repos, now=NOW)
        await roster.put_on_roster(gone, on_roster(unit_id, active=False), repos=fakes.repos, now=NOW)
        wib = dt.timezone(dt.timedelta(hours=7))
        for jp, passed, at in (
            (6, True, dt.datetime(2026, 3, 1, tzinfo=wib)),
            (4, False, dt.datetime(2026, 5, 1, tzinfo=wib)),
            (9, True, dt.datetime(2025, 12, 31, 18, tzinfo=dt.UTC)),
        ):  # 2026 in WIB
            done = a_training_completed(nip=nip, unit_id=unit_id, jp=jp, passed=passed, completed_at=at)
            await completions.record_completion(wrapped(done), repos=fakes.repos)
        await retraining.recommend(a_recommendation(nip=nip), repos=fakes.repos, now=NOW)
        [member] = await roster.unit_members(unit_id, repos=fakes.repos, calendar=Calendar(), now=NOW)
        assert (member.nip, member.name, member.employee_type, member.jp_this_year, member.year) == (
            nip,
            "Budi",
            "PNS",
            15,
            2026,
        )
        assert [r.status for r in member.open_recommendations] == ["open"]
        assert member.last_training is not None
        assert (member.last_training.passed, member.last_training.completed_at[:10]) == (False, "2026-05-01")

    async def test_members_are_read_in_bulk_not_one_person_at_a_time(self, fakes: Fakes) -> None:
        """GET /units/{unit}/members made two round trips a member: 1,500 members took seconds."""
        unit_id, reads = "kel-tegalsari", []
        nips = sorted({random_nip() for _ in range(450)})  # more than one bulk read
        for nip in nips:
            await roster.put_on_roster(nip, on_roster(unit_id), repos=fakes.repos, now=NOW)
        original = fakes.people.get

        async def counted(key: Any) -> Trainee | None:
            reads.append(key)
            return await original(key)

        fakes.people.get = counted  # type: ignore[method-assign]
        shown = await roster.unit_members(unit_id, repos=fakes.repos, calendar=Calendar(), now=NOW)
        assert [m.nip for m in shown] == nips
        assert reads == []


class TestUnitFanOut:
    async def test_a_unit_recommendation_reaches_every_active_roster_member_but_not_who_left(
        self, fakes: Fakes
    ) -> None:
        """Before the roster, only people who once trained got a unit's recommendation."""
        program = await a_programme(fakes, capacity=5)
        unit_id = "kel-tegalsari"
        never_trained, trained, inactive, moved = sorted(random_nip() for _ in range(4))
        for nip in (never_trained, trained, inactive, moved):
            await roster.put_on_roster(nip, on_roster(unit_id), repos=fakes.repos, now=NOW)
        await completions.record_completion(
            wrapped(a_training_completed(nip=trained, unit_id=unit_id, passed=False)), repos=fakes.repos
        )
        await roster.put_on_roster(inactive, on_roster(unit_id, active=False), repos=fakes.repos, now=NOW)
        await roster.put_on_roster(moved, on_roster("kel-candi"), repos=fakes.repos, now=NOW)
        found = await retraining.recommend(
            a_recommendation(nip=None, unit_id=unit_id), repos=fakes.repos, now=NOW
        )
        assert found == dict.fromkeys(sorted((never_trained, trained)), program.program_id)
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == sorted(
            (never_trained, trained)
        )
        for nip in (inactive, moved):
            person = await fakes.people.get(nip)
            assert person is not None
            assert person.recommendations == {}

    async def test_someone_who_joins_later_gets_the_units_open_recommendations_until_resolved(
        self, fakes: Fakes
    ) -> None:
        program = await a_programme(fakes, capacity=5)
        unit_id, early, late, later = "kel-jatingaleh", random_nip(), random_nip(), random_nip()
        await roster.put_on_roster(early, on_roster(unit_id), repos=fakes.repos, now=NOW)
        recommended = a_recommendation(nip=None, unit_id=unit_id)
        await retraining.recommend(recommended, repos=fakes.repos, now=NOW)
        await roster.put_on_roster(late, on_roster(unit_id), repos=fakes.repos, now=NOW)
        joined = await fakes.people.get(late)
        assert joined is not None
        assert joined.status_of(recommended.data.recommendation_id) == "scheduled"
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == sorted((early, late))
        resolution = events.RecommendationResolved(
            recommendation_id=recommended.data.recommendation_id, status="done", evidence={}, resolved_at=NOW
        )
        await retraining.resolve(wrapped(resolution), repos=fakes.repos)
        await roster.put_on_roster(later, on_roster(unit_id), repos=fakes.repos, now=NOW)
        person = await fakes.people.get(later)
        assert person is not None
        assert person.recommendations == {}


class TestWithdrawal:
    async def test_a_withdrawn_seat_reopens_the_recommendation_and_publishes_retraining_withdrawn(
        self, fakes: Fakes
    ) -> None:
        program = await a_programme(fakes, capacity=1)
        recommended = a_recommendation()
        nip, rec_id = recommended.data.nip, recommended.data.recommendation_id
        assert nip is not None
        await retraining.recommend(recommended, repos=fakes.repos, now=NOW)
        assert await catalogue.withdraw(program.program_id, nip, repos=fakes.repos, now=NOW)
        person = await fakes.people.get(nip)
        assert person is not None
        assert person.status_of(rec_id) == "open"
        withdrawn = fakes.people.published[-1]
        assert (withdrawn.type, withdrawn.data.model_dump()) == (
            "RetrainingWithdrawn",
            {"recommendation_id": rec_id, "nip": nip, "program_id": program.program_id},
        )
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == []  # not offered again

        later = await a_programme(
            fakes,
            capacity=1,
            starts_at=SOON + dt.timedelta(days=7),
            ends_at=SOON + dt.timedelta(days=8),
            now=NOW,
        )
        person = await fakes.people.get(nip)
        assert person is not None
        assert person.status_of(rec_id) == "scheduled"
        again = fakes.people.published[-1]
        assert (again.type, again.data.model_dump()["program_id"]) == (
            "RetrainingScheduled",
            later.program_id,
        )
        assert again.id != retraining.scheduled_id(rec_id, nip)  # a new event, not a duplicate


class TestRoomAppears:
    async def open_recommendation(self, fakes: Fakes) -> tuple[str, str]:
        recommended = a_recommendation()
        assert recommended.data.nip is not None
        assert await retraining.recommend(recommended, repos=fakes.repos, now=NOW) == {
            recommended.data.nip: None
        }
        return recommended.data.nip, recommended.data.recommendation_id

    async def status(self, fakes: Fakes, nip: str, rec_id: str) -> str | None:
        person = await fakes.people.get(nip)
        return None if person is None else person.status_of(rec_id)

    async def test_a_new_programme_schedules_the_open_recommendation(self, fakes: Fakes) -> None:
        nip, rec_id = await self.open_recommendation(fakes)
        program = await a_programme(fakes, now=NOW)
        assert await self.status(fakes, nip, rec_id) == "scheduled"
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == [nip]

    async def test_raised_capacity_schedules_the_open_recommendation(self, fakes: Fakes) -> None:
        program = await a_programme(fakes, capacity=1)
        await catalogue.enrol(program.program_id, random_nip(), None, repos=fakes.repos, now=NOW)
        nip, rec_id = await self.open_recommendation(fakes)
        await catalogue.patch_programme(
            program.program_id, ProgramPatch(capacity=2), repos=fakes.repos, now=NOW
        )
        assert await self.status(fakes, nip, rec_id) == "scheduled"

    async def test_a_freed_seat_schedules_the_open_recommendation(self, fakes: Fakes) -> None:
        program = await a_programme(fakes, capacity=1)
        other = random_nip()
        await catalogue.enrol(program.program_id, other, None, repos=fakes.repos, now=NOW)
        nip, rec_id = await self.open_recommendation(fakes)
        await catalogue.withdraw(program.program_id, other, repos=fakes.repos, now=NOW)
        assert await self.status(fakes, nip, rec_id) == "scheduled"
        assert await catalogue.holders(program.program_id, repos=fakes.repos) == [nip]


class TestResolved:
    @pytest.mark.parametrize("status", ["done", "expired", "withdrawn"])
    async def test_evaluations_resolution_is_mirrored_on_every_holder(
        self, fakes: Fakes, status: str
    ) -> None:
        await a_programme(fakes, capacity=1)
        unit_id, nips = "kel-wonotingal", sorted(random_nip() for _ in range(2))
        for nip in nips:
            await roster.put_on_roster(nip, on_roster(unit_id), repos=fakes.repos, now=NOW)
        recommended = a_recommendation(nip=None, unit_id=unit_id)
        found = await retraining.recommend(recommended, repos=fakes.repos, now=NOW)
        assert sorted(v is None for v in found.values()) == [False, True]  # one scheduled, one open
        resolution = wrapped(
            events.RecommendationResolved(
                recommendation_id=recommended.data.recommendation_id,
                status=status,
                evidence={"quarter": "2026-Q3"},
                resolved_at=NOW,
            )
        )
        for _ in range(2):
            assert await retraining.resolve(resolution, repos=fakes.repos) == 2
        for nip in nips:
            person = await fakes.people.get(nip)
            assert person is not None
            [rec] = person.recommendations.values()
            assert (rec.status, rec.evidence, rec.resolved_at) == (status, {"quarter": "2026-Q3"}, NOW)
            assert person.waiting() == []


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
