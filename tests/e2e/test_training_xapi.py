"""xAPI statements over HTTP: completing verbs become TrainingCompleted once; others are kept quietly."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests import infra
from tests.builders import random_nip
from tests.e2e.test_training_catalogue import bearer, create_program

pytestmark = pytest.mark.e2e
ADL = "http://adlnet.gov/expapi/verbs/"


def a_statement(nip: str, program_id: str, verb: str = "passed", **changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://simpeg.example", "name": nip}},
        "verb": {"id": f"{ADL}{verb}", "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": f"https://lms.example/programs/{program_id}"},
        "result": {"score": {"raw": 43, "min": 0, "max": 50}, "success": verb != "failed"},
        "timestamp": "2026-11-02T09:00:00+07:00",
        "context": {"extensions": {"urn:mutu:unit_id": "kel-jomblang"}},
    }
    return statement | changes


async def post(http: httpx.AsyncClient, stack: infra.Stack, key: str, body: Any) -> httpx.Response:
    headers = bearer(key) | {"X-Experience-API-Version": "1.0.3"}
    return await http.post(f"{stack.urls['training']}/xapi/statements", json=body, headers=headers)


async def test_statements_become_completions_once_with_jp_from_the_catalogue(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    program = await create_program(http, stack, keys, method="e_learning", jp=6, competency="service_ethics")
    nip = random_nip()
    passed = a_statement(nip, program["program_id"])
    failed = a_statement(
        random_nip(),
        program["program_id"],
        "failed",
        object={"id": f"urn:mutu:program:{program['program_id']}"},
    )
    answer = await post(http, stack, keys.integrator, [passed, failed])
    assert answer.status_code == 200, answer.text
    assert answer.json() == [passed["id"], failed["id"]]
    assert answer.headers["X-Experience-API-Version"] == "1.0.3"

    again = await asyncio.gather(*(post(http, stack, keys.integrator, passed) for _ in range(3)))
    assert [a.json() for a in again] == [[passed["id"]]] * 3

    await infra.eventually(lambda: _all_published(bus, [passed["id"], failed["id"]]))
    await infra.drained(stack, bus)  # nothing left to publish: a second copy would be recorded by now
    by_id = {e["id"]: e for e in infra.events_on(bus, "training.completed")}
    assert bus.routing_keys(passed["id"]) == ["training.completed"]
    data = by_id[passed["id"]]["data"]
    assert (data["nip"], data["jp"], data["competency"], data["method"]) == (
        nip,
        6,
        "service_ethics",
        "e_learning",
    )
    assert (data["score"], data["passed"], data["unit_id"]) == (86.0, True, "kel-jomblang")
    assert (by_id[failed["id"]]["data"]["passed"], by_id[failed["id"]]["data"]["score"]) == (False, 86.0)

    listed = await http.get(f"{stack.urls['training']}/asn/{nip}/trainings", headers=bearer(keys.reader))
    assert [c["event_id"] for y in listed.json()["years"] for c in y["completed"]] == [passed["id"]]


async def test_other_verbs_are_acknowledged_and_publish_nothing(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    program = await create_program(http, stack, keys, method="e_learning")
    statement = a_statement(random_nip(), program["program_id"], "experienced", result=None)
    answer = await post(http, stack, keys.integrator, statement)
    assert answer.status_code == 200, answer.text
    assert answer.json() == [statement["id"]]
    completed = a_statement(random_nip(), program["program_id"], "completed")
    await post(http, stack, keys.integrator, completed)  # published after the first: a marker
    await infra.eventually(lambda: _all_published(bus, [completed["id"]]))
    assert bus.routing_keys(statement["id"]) == []


async def test_unmappable_statements_are_refused_with_reasons_and_change_nothing(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    program = await create_program(http, stack, keys, method="e_learning")
    nip = random_nip()
    good = a_statement(nip, program["program_id"])
    refused = [
        a_statement("12345", program["program_id"]),
        a_statement(nip, "not-in-catalogue"),
        a_statement(nip, program["program_id"], "completed", result={"score": {"scaled": 0.9}}),
        a_statement(nip, program["program_id"], context={}),
    ]
    answer = await post(http, stack, keys.integrator, [good, *refused])
    assert answer.status_code == 422
    problems = {tuple(p["loc"][:3]): p["msg"] for p in answer.json()["detail"]}
    assert set(problems) == {
        ("body", 1, "actor"),
        ("body", 2, "object"),
        ("body", 3, "result"),
        ("body", 4, "context"),
    }
    assert "catalogue" in problems["body", 2, "object"]
    listed = await http.get(f"{stack.urls['training']}/asn/{nip}/trainings", headers=bearer(keys.reader))
    assert listed.json()["years"] == []

    assert (await post(http, stack, keys.reader, good)).status_code == 403
    bad_json = await http.post(
        f"{stack.urls['training']}/xapi/statements", content=b"{nope", headers=bearer(keys.integrator)
    )
    assert bad_json.status_code == 400
    twice = await post(http, stack, keys.integrator, [good, good])
    assert twice.status_code == 400


async def test_the_unit_comes_from_the_enrolment_when_the_statement_has_none(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    program = await create_program(http, stack, keys, method="e_learning")
    nip = random_nip()
    enrolled = await http.post(
        f"{stack.urls['training']}/programs/{program['program_id']}/enrolments",
        json={"nip": nip, "unit_id": "kel-tegalsari"},
        headers=bearer(keys.integrator),
    )
    assert enrolled.status_code == 201
    statement = a_statement(
        nip, program["program_id"], context=None, result={"score": {"scaled": 0.7}, "success": True}
    )
    assert (await post(http, stack, keys.integrator, statement)).status_code == 200
    await infra.eventually(lambda: _all_published(bus, [statement["id"]]))
    event = next(e for e in infra.events_on(bus, "training.completed") if e["id"] == statement["id"])
    assert (event["data"]["unit_id"], event["data"]["score"]) == ("kel-tegalsari", 70.0)
    listed = (
        await http.get(f"{stack.urls['training']}/asn/{nip}/trainings", headers=bearer(keys.reader))
    ).json()
    assert listed["enrolled"] == []
    assert [e["status"] for e in listed["enrolments"]] == ["completed"]


async def _all_published(bus: infra.BusRecorder, ids: list[str]) -> bool:
    return all(bus.routing_keys(i) for i in ids)
