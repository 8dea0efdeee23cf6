"""Behaviour every adapter of training's ports has; subclasses say how to build one (fake or Mongo)."""

import datetime as dt
import uuid

import pytest

from services.training.model import groups as group_model
from services.training.model import people, roster, statements, xapi
from services.training.model import programmes as catalogue
from services.training.model import records as record_model
from services.training.model.groups import ProjectGroup, RecordedAssessment
from services.training.model.programmes import Program, Programme
from services.training.repository import Groups, Months, People, Programmes, Records, Units
from shared.contract import events
from tests.builders import a_training_completed, random_id, random_nip, wrapped

START = dt.datetime(2031, 3, 2, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
PAST = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # an event's time cannot be in the future


def a_program(**changes: object) -> Program:
    fields: dict[str, object] = {
        "program_id": random_id("prog"),
        "title": "Pelayanan digital",
        "competency": "digital_service",
        "method": "classroom",
        "jp": 8,
        "starts_at": START,
        "ends_at": START + dt.timedelta(days=1),
        "capacity": 2,
    }
    return Program.model_validate(fields | changes)


async def catalogued(programmes: Programmes, **changes: object) -> Program:
    program = a_program(**changes)
    await programmes.update(program.program_id, lambda state: catalogue.created(state, program))
    return program


class ProgrammesContract:
    """`programmes` fixture: an empty Programmes adapter."""

    async def test_an_unknown_programme_has_no_record_and_no_seats(self, programmes: Programmes) -> None:
        program_id = random_id("prog")
        assert await programmes.get(program_id) is None
        assert await programmes.seat_holders(program_id) is None
        assert not await programmes.release_seat(program_id, random_nip())
        with pytest.raises(catalogue.UnknownProgramError):
            await programmes.take_seat(program_id, random_nip())

    async def test_a_created_programme_reads_back_with_its_id_and_no_seat_taken(
        self, programmes: Programmes
    ) -> None:
        program = await catalogued(programmes, timezone="Asia/Makassar")
        found = await programmes.get(program.program_id)
        assert found is not None
        assert (found.program_id, found.title, found.enrolled, found.seats) == (
            program.program_id,
            program.title,
            0,
            None,
        )
        assert (found.starts_at, found.timezone, found.capacity) == (START, "Asia/Makassar", 2)
        assert catalogue.created(found, program) is None  # the same programme again
        assert await programmes.seat_holders(program.program_id) == []
        assert await programmes.by_ids([program.program_id, random_id("prog")]) == {program.program_id: found}

    async def test_seats_never_exceed_capacity_and_a_holder_keeps_one(self, programmes: Programmes) -> None:
        program = await catalogued(programmes, capacity=2)
        first, second = sorted([random_nip(), random_nip()])
        assert (await programmes.take_seat(program.program_id, first))[1]
        assert not (await programmes.take_seat(program.program_id, first))[1]
        taken, fresh = await programmes.take_seat(program.program_id, second)
        assert (taken.program_id, taken.enrolled, fresh) == (program.program_id, 2, True)
        with pytest.raises(catalogue.ProgramFullError):
            await programmes.take_seat(program.program_id, random_nip())
        assert await programmes.seat_holders(program.program_id) == [first, second]
        assert await programmes.release_seat(program.program_id, first)
        assert not await programmes.release_seat(program.program_id, first)
        found = await programmes.get(program.program_id)
        assert found is not None
        assert found.enrolled == 1

    async def test_listing_and_upcoming_programmes_with_room(self, programmes: Programmes) -> None:
        competency = "public_communication"
        later = await catalogued(
            programmes,
            competency=competency,
            starts_at=START + dt.timedelta(days=9),
            ends_at=START + dt.timedelta(days=10),
            capacity=1,
        )
        sooner = await catalogued(programmes, competency=competency, capacity=1)
        listed = await programmes.listing(competency=competency, method=None, starts_after=None)
        assert [p.program_id for p in listed] == [sooner.program_id, later.program_id]
        holder = random_nip()
        await programmes.take_seat(sooner.program_id, holder)
        room = await programmes.upcoming_with_room(competency, NOW, random_nip())
        assert [p.program_id for p in room] == [later.program_id]
        mine = await programmes.upcoming_with_room(competency, NOW, holder)
        assert [p.program_id for p in mine] == [sooner.program_id, later.program_id]
        assert await programmes.upcoming_with_room(competency, START + dt.timedelta(days=20), holder) == []
        after = await programmes.listing(competency=competency, method="classroom", starts_after=START)
        assert [p.program_id for p in after] == [later.program_id]


class TraineesContract:
    """`trainees` fixture: an empty People adapter (training's people)."""

    async def test_an_enrolment_is_kept_with_the_unit(self, trainees: People) -> None:
        nip = random_nip()
        programme = Programme(
            program_id=random_id("prog"), title="t", competency="digital_service", starts_at=START
        )
        assert await trainees.get(nip) is None
        await trainees.update(nip, lambda person: people.enrolled(person, programme, "kel-candi", at=NOW))
        person = await trainees.get(nip)
        assert person is not None
        assert person.unit_id == "kel-candi"
        entry = person.enrolment(programme.program_id)
        assert entry is not None
        assert (entry.status, entry.starts_at, entry.at) == ("enrolled", START, NOW)
        assert await trainees.units_of([nip, random_nip()]) == {nip: "kel-candi"}
        assert await trainees.many([nip, random_nip()]) == {nip: person}

    async def test_a_decision_that_changes_nothing_writes_nothing(self, trainees: People) -> None:
        nip = random_nip()
        await trainees.update(nip, lambda person: people.withdrawn(person, nip, "prog-x", at=NOW))
        assert await trainees.get(nip) is None

    async def test_a_roster_entry_reads_back_and_the_same_entry_again_changes_nothing(
        self, trainees: People
    ) -> None:
        nip = random_nip()
        entry = roster.RosterEntry(unit_id="kel-candi", employee_type="PPPK", name="Sri", active=True)
        for _ in range(2):
            await trainees.update(nip, lambda person: people.rostered(person, nip, entry, at=PAST))
        person = await trainees.get(nip)
        assert person is not None
        assert person.roster is not None
        assert (person.roster.unit_id, person.roster.name, person.roster.changes, person.roster.at) == (
            "kel-candi",
            "Sri",
            1,
            PAST,
        )
        assert person.member_of("kel-candi")

    async def test_people_waiting_in_a_competency_and_holding_a_recommendation_are_found(
        self, trainees: People
    ) -> None:
        competency = f"c_{uuid.uuid4().hex[:10]}"
        first, second, other = sorted(random_nip() for _ in range(3))
        rec = a_recommendation(competency)
        for nip in (first, second):
            await trainees.update(nip, lambda person: people.opened(person, rec, cause="e", at=NOW))
        await trainees.update(
            other,
            lambda person: people.opened(person, a_recommendation("digital_service"), cause="e", at=NOW),
        )
        assert await trainees.waiting(competency) == [first, second]
        assert await trainees.holding(rec.recommendation_id) == [first, second]
        programme = Programme(program_id=random_id("prog"), competency=competency, starts_at=START)
        event = wrapped(
            events.RetrainingScheduled(
                recommendation_id=rec.recommendation_id, nip=first, program_id=programme.program_id
            )
        )
        await trainees.update(first, lambda person: people.scheduled(person, programme, event))
        assert await trainees.waiting(competency) == [second]  # scheduled: no longer waiting
        assert await trainees.holding(rec.recommendation_id) == [first, second]
        assert await trainees.holding(random_id("rec")) == []

    async def test_demand_counts_people_once_and_the_units_of_open_unit_recommendations(
        self, trainees: People
    ) -> None:
        first, second, third = (f"c_{uuid.uuid4().hex[:10]}" for _ in range(3))
        unit_rec = a_recommendation(first)  # a unit recommendation of kel-candi
        person_rec = a_recommendation(first).model_copy(update={"nip": random_nip(), "unit_id": None})
        both, alone, elsewhere = (random_nip() for _ in range(3))
        for nip, rec in ((both, unit_rec), (both, person_rec), (alone, person_rec), (elsewhere, unit_rec)):
            await trainees.update(nip, lambda person, rec=rec: people.opened(person, rec, cause="e", at=NOW))
        other = a_recommendation(second).model_copy(update={"unit_id": "kel-jomblang"})
        await trainees.update(alone, lambda person: people.opened(person, other, cause="e", at=NOW))
        scheduled = a_recommendation(third)
        await trainees.update(elsewhere, lambda person: people.opened(person, scheduled, cause="e", at=NOW))
        programme = Programme(program_id=random_id("prog"), competency=third, starts_at=START)
        event = wrapped(
            events.RetrainingScheduled(
                recommendation_id=scheduled.recommendation_id, nip=elsewhere, program_id=programme.program_id
            )
        )
        await trainees.update(elsewhere, lambda person: people.scheduled(person, programme, event))

        found = {d.competency: d for d in await trainees.demand()}
        assert (found[first].people, found[first].units) == (3, ("kel-candi",))
        assert (found[second].people, found[second].units) == (1, ("kel-jomblang",))
        assert third not in found  # scheduled: it has its seat


def a_recommendation(competency: str) -> events.RetrainingRecommended:
    return events.RetrainingRecommended(
        recommendation_id=random_id("rec"),
        nip=None,
        unit_id="kel-candi",
        competency=competency,
        rule_id="unit_rule",
        reason="u7 below B",
        evidence={},
        caused_by=(random_id(),),
    )


class UnitsContract:
    """`units` fixture: an empty Units adapter."""

    async def test_a_member_joins_once(self, units: Units) -> None:
        unit_id, nip = f"kel-{random_id('u')[-8:]}", random_nip()
        for _ in range(2):
            await units.update(unit_id, lambda unit: roster.joined(unit, nip))
        unit = await units.get(unit_id)
        assert unit is not None
        assert list(unit.members.values()) == [nip]

    async def test_join_adds_a_member_once(self, units: Units) -> None:
        unit_id, nip, other = f"kel-{random_id('u')[-8:]}", random_nip(), random_nip()
        for member in (nip, nip, other, nip):
            await units.join(unit_id, member)
        unit = await units.get(unit_id)
        assert unit is not None
        assert sorted(unit.members.values()) == sorted([nip, other])

    async def test_the_roster_index_gains_and_loses_a_member(self, units: Units) -> None:
        unit_id, nip, stays = f"kel-{random_id('u')[-8:]}", random_nip(), random_nip()
        for member in (nip, stays, nip):
            await units.update(unit_id, lambda unit, m=member: roster.on_roster(unit, m, member=True))
        await units.update(unit_id, lambda unit: roster.on_roster(unit, nip, member=False))
        unit = await units.get(unit_id)
        assert unit is not None
        assert list(unit.roster.values()) == [stays]
        assert unit.candidates() == [stays]

    async def test_units_with_someone_on_their_roster_are_listed(self, units: Units) -> None:
        listed, emptied, only_seen = (f"kel-{random_id('u')[-8:]}" for _ in range(3))
        nip = random_nip()
        await units.update(listed, lambda unit: roster.on_roster(unit, nip, member=True))
        await units.update(emptied, lambda unit: roster.on_roster(unit, nip, member=True))
        await units.update(emptied, lambda unit: roster.on_roster(unit, nip, member=False))
        await units.update(only_seen, lambda unit: roster.joined(unit, nip))
        found = await units.with_roster()
        assert listed in found
        assert emptied not in found
        assert only_seen not in found

    async def test_a_unit_recommendation_is_kept_until_resolved(self, units: Units) -> None:
        unit_id = f"kel-{random_id('u')[-8:]}"
        event = wrapped(a_recommendation("service_ethics"))
        for _ in range(2):
            await units.update(unit_id, lambda unit: roster.recommended(unit, event))
        unit = await units.get(unit_id)
        assert unit is not None
        assert [(e.id, e.data) for e in unit.pending()] == [(event.id, event.data)]
        await units.update(unit_id, lambda unit: roster.resolved(unit, event.data.recommendation_id))
        unit = await units.get(unit_id)
        assert unit is not None
        assert unit.pending() == []


class RecordsContract:
    """`records` fixture: an empty Records adapter."""

    async def test_a_completion_is_recorded_once_per_event_id(self, records: Records) -> None:
        nip = random_nip()
        completed = wrapped(a_training_completed(nip=nip))
        key = record_model.record_key(nip, 2026)
        decide = lambda record: record_model.recorded(record, completed)  # noqa: E731
        assert await records.update(key, decide, event_id=completed.id)
        assert not await records.update(key, decide, event_id=completed.id)
        record = await records.get(key)
        assert record is not None
        assert (record.nip, record.year) == (nip, 2026)
        [completion] = record.completions.values()
        assert (completion.event_id, completion.completed_at) == (completed.id, "2026-11-02T09:00:00+07:00")
        assert await records.of_person(nip) == [record]
        assert await records.of_person(random_nip()) == []
        assert await records.of_people([nip, random_nip()]) == {nip: [record]}


class MonthsContract:
    """`months` fixture: an empty Months adapter."""

    async def test_a_statement_is_kept_once_and_counted(self, months: Months) -> None:
        statement = xapi.Statement(
            id=random_id("st"),
            nip=random_nip(),
            verb="http://adlnet.gov/expapi/verbs/attempted",
            object_id="urn:mutu:program:p",
            timestamp=START,
            unit_id=None,
            result=None,
        )
        key = statements.month_key(statement, NOW)
        assert await months.counts([key]) == {}
        for _ in range(2):
            await months.update(
                key, lambda month: statements.kept(month, statement, NOW), event_id=statement.id
            )
        assert await months.counts([key, "other"]) == {key: 1}


class GroupsContract:
    """`groups` fixture: an empty Groups adapter."""

    async def test_a_group_reads_back_with_its_id_and_its_assessment(self, groups: Groups) -> None:
        members = [random_nip(), random_nip()]
        request = ProjectGroup(
            group_id=random_id("grp"), program_id="p", unit_id="kel-candi", brief="b", members=members
        )
        assert await groups.get(request.group_id) is None
        await groups.update(request.group_id, lambda group: group_model.formed(group, request))
        group = await groups.get(request.group_id)
        assert group is not None
        assert (group.group_id, [m.nip for m in group.members]) == (request.group_id, members)
        assert group_model.formed(group, request) is None
        wanted = RecordedAssessment(
            score=81, passed=True, completed_at=START.isoformat(), units=dict.fromkeys(members, "kel-candi")
        )
        await groups.update(request.group_id, lambda state: group_model.assessed(state, wanted))
        group = await groups.get(request.group_id)
        assert group is not None
        assert group.assessment == wanted
