"""xAPI statements read as completions: actor NIP, programme from the object id, verbs, scores."""

import datetime as dt
import uuid
from typing import Any

import pytest

from services.training.model import xapi
from tests.builders import random_nip

NIP = random_nip()


def a_statement(verb_name: str = "passed", **changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://simpeg.example", "name": NIP}},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb_name}"},
        "object": {"objectType": "Activity", "id": "https://lms.example/courses/programs/dig-101"},
        "result": {"score": {"scaled": 0.875}, "success": verb_name != "failed"},
        "timestamp": "2026-11-02T09:00:00+07:00",
    }
    return statement | changes


def test_a_passed_statement_maps_to_a_completion() -> None:
    raw = a_statement()
    statement = xapi.read(raw)
    assert statement.id == raw["id"]
    assert statement.nip == NIP
    assert statement.result == xapi.Result(program_id="dig-101", score=87.5, passed=True)
    assert statement.timestamp == dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("object_id", "program_id"),
    [
        ("urn:mutu:program:eth-201", "eth-201"),
        ("https://lms.example/programs/dat-101/", "dat-101"),
        ("https://lms.example/x/programs/prj_1.2", "prj_1.2"),
    ],
)
def test_the_programme_comes_from_the_object_id(object_id: str, program_id: str) -> None:
    statement = xapi.read(a_statement(object={"id": object_id}))
    assert statement.result is not None
    assert statement.result.program_id == program_id


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        ({"scaled": 1}, 100.0),
        ({"scaled": 0}, 0.0),
        ({"raw": 45, "min": 0, "max": 50}, 90.0),
        ({"raw": 7, "min": 5, "max": 9}, 50.0),
        ({"raw": 72.5}, 72.5),
    ],
)
def test_scores_scaled_or_raw(score: dict[str, Any], expected: float) -> None:
    statement = xapi.read(a_statement(result={"score": score, "success": True}))
    assert statement.result is not None
    assert statement.result.score == expected


@pytest.mark.parametrize(
    ("verb", "success", "passed"),
    [("passed", None, True), ("failed", None, False), ("completed", True, True), ("completed", False, False)],
)
def test_the_verb_and_success_decide_passed(verb: str, success: bool | None, passed: bool) -> None:
    result: dict[str, Any] = {"score": {"scaled": 0.6}}
    if success is not None:
        result["success"] = success
    statement = xapi.read(a_statement(verb, result=result))
    assert statement.result is not None
    assert statement.result.passed is passed


@pytest.mark.parametrize(
    ("changes", "loc", "reason"),
    [
        ({"actor": {"mbox": "mailto:a@example.org"}}, ("actor", "account", "name"), "NIP"),
        ({"actor": {"account": {"name": "123"}}}, ("actor", "account", "name"), "18 characters"),
        ({"object": {"id": "https://lms.example/courses/dig-101"}}, ("object", "id"), "/programs/"),
        ({"result": {"score": {"scaled": -0.5}, "success": False}}, ("result", "score", "scaled"), "0..1"),
        ({"result": {"score": {"raw": 60, "min": 0}, "success": True}}, ("result", "score"), "min and max"),
        (
            {"result": {"score": {"raw": 60, "min": 0, "max": 50}, "success": True}},
            ("result", "score", "raw"),
            "within",
        ),
        ({"result": {"success": True}}, ("result", "score"), "required"),
        ({"result": {"score": {"scaled": 0.9}, "success": False}}, ("result", "success"), "contradicts"),
        ({"id": "not-a-uuid"}, ("id",), "UUID"),
        ({"timestamp": "yesterday"}, ("timestamp",), "ISO 8601"),
        ({"verb": {"display": {"en-US": "passed"}}}, ("verb", "id"), "verb.id"),
    ],
)
def test_unmappable_statements_say_why(changes: dict[str, Any], loc: tuple[str, ...], reason: str) -> None:
    with pytest.raises(xapi.UnmappableStatementError) as refused:
        xapi.read(a_statement(**changes))
    assert refused.value.loc == loc
    assert reason in str(refused.value)


def test_completed_needs_success() -> None:
    with pytest.raises(xapi.UnmappableStatementError, match=r"result\.success is required"):
        xapi.read(a_statement("completed", result={"score": {"scaled": 0.8}}))


def test_other_verbs_are_read_without_a_result() -> None:
    statement = xapi.read(
        a_statement("experienced", object={"id": "https://lms.example/slides/3"}, result=None)
    )
    assert statement.result is None
    assert statement.verb == "http://adlnet.gov/expapi/verbs/experienced"


def test_a_statement_without_id_gets_a_stable_derived_one() -> None:
    raw = a_statement()
    del raw["id"]
    assert xapi.read(raw).id == xapi.read(dict(raw)).id
    assert xapi.read(raw).id != xapi.read(raw | {"timestamp": "2026-11-03T09:00:00+07:00"}).id


def test_a_timestamp_without_offset_is_utc_and_the_unit_comes_from_the_context() -> None:
    raw = a_statement(
        timestamp="2026-11-02T09:00:00", context={"extensions": {"urn:mutu:unit_id": "kel-candi"}}
    )
    statement = xapi.read(raw)
    assert statement.timestamp == dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    assert statement.unit_id == "kel-candi"


@pytest.mark.parametrize(
    "context", [7, "x", [], {"extensions": 3}, {"extensions": {"urn:mutu:unit_id": None}}]
)
def test_a_context_of_another_shape_names_no_unit(context: Any) -> None:
    assert xapi.read(a_statement(context=context)).unit_id is None


@pytest.mark.parametrize("field", ["actor", "verb", "object", "result"])
@pytest.mark.parametrize("value", [7, "x", [], None, {"id": 3}])
def test_any_shape_is_refused_with_a_reason_never_a_crash(field: str, value: Any) -> None:
    with pytest.raises(xapi.UnmappableStatementError):
        xapi.read(a_statement(**{field: value}))
