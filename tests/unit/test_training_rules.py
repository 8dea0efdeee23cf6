"""Training rules without I/O: catalogue validation, groups, recommendations, the per-year view."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from services.training.model import groups, people, programmes, views
from services.training.model.people import EnrolmentEntry, Person, Recommendation
from services.training.model.programmes import Programme
from services.training.model.records import Completion, Record
from shared.contract import envelope, events
from shared.contract.identifiers import field_key
from shared.persistence.state_store import difference
from tests.builders import a_training_completed, random_nip

WIB = dt.timezone(dt.timedelta(hours=7))
OPENED = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)


def a_program(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "program_id": "dig-101",
        "title": "Pelayanan digital",
        "competency": "digital_service",
        "method": "classroom",
        "jp": 8,
        "starts_at": "2027-01-18T08:00:00+07:00",
        "ends_at": "2027-01-19T16:00:00+07:00",
        "capacity": 20,
    }
    return fields | changes


def a_recommendation(**changes: Any) -> events.RetrainingRecommended:
    fields: dict[str, Any] = {
        "recommendation_id": "rec-1",
        "nip": random_nip(),
        "competency": "digital_service",
        "rule_id": "training_failed",
        "reason": "failed",
        "evidence": {},
        "caused_by": ("ev-1",),
    }
    return events.RetrainingRecommended(**(fields | changes))


def test_a_programme_validates_fields() -> None:
    assert programmes.Program.model_validate(a_program()).jp == 8
    with pytest.raises(ValidationError) as refused:
        programmes.Program.model_validate(
            a_program(
                jp=0, capacity=0, method="webinar", starts_at="2027-01-18T08:00:00", timezone="Mars/Base"
            )
        )
    assert {e["loc"][0] for e in refused.value.errors()} == {
        "jp",
        "capacity",
        "method",
        "starts_at",
        "timezone",
    }


def test_a_programme_ends_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="ends_at"):
        programmes.Program.model_validate(a_program(ends_at="2027-01-17T08:00:00+07:00"))


def test_competencies_are_the_documented_six_plus_configured_ones() -> None:
    allowed = programmes.competencies(["budgeting"])
    assert {"digital_service", "change_management", "budgeting"} <= allowed
    assert programmes.competency_error("budgeting", allowed, ("body", "competency")) is None
    problem = programmes.competency_error("cooking", allowed, ("body", "competency"))
    assert problem is not None
    assert problem["loc"] == ["body", "competency"]


def test_the_schedule_is_shown_in_the_programme_timezone() -> None:
    programme = Programme(
        starts_at=dt.datetime(2027, 1, 18, 1, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 1, 18, 9, tzinfo=dt.UTC),
    )
    assert programmes.local_schedule(programme, "Asia/Jakarta")["starts_at"] == "2027-01-18T08:00:00+07:00"
    makassar = programme.model_copy(update={"timezone": "Asia/Makassar"})
    assert programmes.local_schedule(makassar, "Asia/Jakarta")["ends_at"].endswith("+08:00")


@pytest.mark.parametrize("size", [1, 9])
def test_a_group_has_two_to_eight_members(size: int) -> None:
    with pytest.raises(ValidationError):
        groups.ProjectGroup(
            group_id="g",
            program_id="p",
            unit_id="kel-candi",
            brief="b",
            members=[random_nip() for _ in range(size)],
        )


def test_group_members_are_distinct_and_may_name_their_unit() -> None:
    nip, other = random_nip(), random_nip()
    with pytest.raises(ValidationError, match="distinct"):
        groups.ProjectGroup(group_id="g", program_id="p", unit_id="kel-candi", brief="b", members=[nip, nip])
    group = groups.ProjectGroup(
        group_id="g",
        program_id="p",
        unit_id="kel-candi",
        brief="b",
        members=[nip, groups.GroupMember(nip=other, unit_id="kel-jomblang")],
    )
    assert group.explicit_units() == {nip: None, other: "kel-jomblang"}


def test_a_recommendation_opens_once() -> None:
    rec = a_recommendation()
    outcome = people.opened(Person(), rec, cause="ev-9", at=OPENED)
    assert outcome is not None
    entry = outcome.state.recommendations[field_key("rec-1")]
    assert (entry.status, entry.competency, entry.target) == ("open", "digital_service", "person")
    assert people.opened(outcome.state, rec, cause="ev-9", at=OPENED) is None


def _person(status: str, competency: str = "digital_service") -> Person:
    entry = Recommendation.model_validate(
        {
            "recommendation_id": "rec-1",
            "competency": competency,
            "rule_id": "training_failed",
            "reason": "failed",
            "target": "person",
            "status": status,
            "opened_at": OPENED,
        }
    )
    return Person(recommendations={field_key("rec-1"): entry})


def test_scheduling_publishes_once_and_only_from_open() -> None:
    scheduled = envelope.wrap(
        events.RetrainingScheduled(recommendation_id="rec-1", nip=random_nip(), program_id="dig-201"),
        source="urn:mutu:training",
        event_id="s-1",
    )
    program = Programme(program_id="dig-201", title="t", competency="digital_service", jp=8)
    outcome = people.scheduled(_person("open"), program, scheduled)
    assert outcome is not None
    assert list(outcome.publish) == [scheduled]
    assert outcome.state.recommendations[field_key("rec-1")].status == "scheduled"
    assert people.scheduled(_person("scheduled"), program, scheduled) is None


@pytest.mark.parametrize(
    ("status", "competency", "passed", "completed_at", "closes"),
    [
        ("open", "digital_service", True, OPENED + dt.timedelta(days=1), True),
        ("scheduled", "digital_service", True, OPENED + dt.timedelta(days=1), True),
        ("open", "digital_service", False, OPENED + dt.timedelta(days=1), False),
        ("open", "service_ethics", True, OPENED + dt.timedelta(days=1), False),
        ("open", "digital_service", True, OPENED - dt.timedelta(days=1), False),
        ("done", "digital_service", True, OPENED + dt.timedelta(days=1), False),
    ],
)
def test_a_later_pass_in_the_competency_marks_it_done(
    status: str, competency: str, passed: bool, completed_at: dt.datetime, closes: bool
) -> None:
    done = a_training_completed(competency=competency, passed=passed, completed_at=completed_at)
    before = _person(status)
    outcome = people.after_completion(before, done)
    assert outcome is not None
    fields = difference(before.model_dump(), outcome.state.model_dump())
    assert (fields.get(f"recommendations.{field_key('rec-1')}.status") == "done") is closes


def test_a_completion_marks_the_enrolment_completed_and_keeps_the_newest_unit() -> None:
    done = a_training_completed(program_id="dig-101", unit_id="kel-candi")
    person = Person(
        enrolments={field_key("dig-101"): EnrolmentEntry(program_id="dig-101", status="enrolled")},
        unit_id="kel-jomblang",
        unit_at=done.completed_at + dt.timedelta(days=1),
    )
    outcome = people.after_completion(person, done)
    assert outcome is not None
    assert difference(person.model_dump(), outcome.state.model_dump()) == {
        f"enrolments.{field_key('dig-101')}.status": "completed"
    }
    assert people.after_completion(Person(unit_id="kel-candi"), done) is None


def test_trainings_per_year_with_jp_and_scores() -> None:
    nip = random_nip()
    c1 = a_training_completed(
        nip=nip, jp=8, score=90, passed=True, completed_at=dt.datetime(2026, 3, 1, tzinfo=WIB)
    )
    c2 = a_training_completed(
        nip=nip, jp=6, score=60, passed=False, completed_at=dt.datetime(2026, 5, 1, tzinfo=WIB)
    )
    c3 = a_training_completed(nip=nip, jp=4, completed_at=dt.datetime(2025, 5, 1, tzinfo=WIB))

    def record(year: int, *done: events.TrainingCompleted) -> Record:
        entries = {
            str(i): Completion.model_validate(
                d.model_dump(mode="json") | {"event_id": f"e{i}", "source": "s"}
            )
            for i, d in enumerate(done)
        }
        return Record(year=year, completions=entries)

    person = Person(enrolments={"k": EnrolmentEntry(program_id="dig-201", status="enrolled", starts_at=None)})
    view = views.trainings(nip, person, [record(2025, c3), record(2026, c2, c1)], minutes_per_jp=45)
    assert [y["year"] for y in view["years"]] == [2026, 2025]
    year = view["years"][0]
    assert (year["jp"], year["jp_passed"], year["minutes"]) == (14, 8, 14 * 45)
    assert [c["score"] for c in year["completed"]] == [90, 60]
    assert [e["program_id"] for e in view["enrolled"]] == ["dig-201"]
    assert [
        y["year"]
        for y in views.trainings(nip, person, [record(2025, c3)], minutes_per_jp=45, year=2026)["years"]
    ] == []
