"""Project-based groups: 2-8 members on a project_based programme; the assessment completes it for each."""

import asyncio
from typing import Any

import httpx
import pytest

from tests import infra
from tests.builders import random_id, random_nip
from tests.e2e.test_training_catalogue import bearer, create_program

pytestmark = pytest.mark.e2e


def a_group(program_id: str, members: list[Any], **changes: Any) -> dict[str, Any]:
    fields = {
        "group_id": random_id("grp"),
        "program_id": program_id,
        "unit_id": "kel-candi",
        "brief": "Merancang sistem data kependudukan yang lebih baik untuk kelurahan",
        "members": members,
    }
    return fields | changes


async def test_an_assessment_completes_the_training_for_every_member_once(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    program = await create_program(
        http, stack, keys, method="project_based", jp=16, competency="data_management"
    )
    members = [random_nip(), random_nip(), random_nip()]
    group = a_group(
        program["program_id"], [members[0], members[1], {"nip": members[2], "unit_id": "kel-kaliwiru"}]
    )
    url = f"{stack.urls['training']}/groups"
    created = await http.post(url, json=group, headers=bearer(keys.integrator))
    assert created.status_code == 201, created.text
    assert (await http.post(url, json=group, headers=bearer(keys.integrator))).status_code == 200
    other = group | {"brief": "another project"}
    assert (await http.post(url, json=other, headers=bearer(keys.integrator))).status_code == 409

    assess = f"{url}/{group['group_id']}/assessment"
    outcome = {"score": 88, "passed": True, "completed_at": "2026-11-20T15:00:00+07:00"}
    answers = await asyncio.gather(
        *(http.post(assess, json=outcome, headers=bearer(keys.integrator)) for _ in range(3))
    )
    assert {a.status_code for a in answers} == {202}
    ids = answers[0].json()["completions"]
    assert len(ids) == 3
    assert all(a.json()["completions"] == ids for a in answers)  # a retry names the same events
    changed = await http.post(
        assess, json=outcome | {"score": 50, "passed": False}, headers=bearer(keys.integrator)
    )
    assert changed.status_code == 409

    await infra.eventually(lambda: _all_published(bus, ids))
    await infra.drained(stack, bus)  # nothing left to publish: a second copy would be recorded by now
    assert all(bus.routing_keys(i) == ["training.completed"] for i in ids)
    data = {e["data"]["nip"]: e["data"] for e in infra.events_on(bus, "training.completed") if e["id"] in ids}
    assert set(data) == set(members)
    assert {d["group_id"] for d in data.values()} == {group["group_id"]}
    assert {(d["jp"], d["score"], d["passed"], d["method"]) for d in data.values()} == {
        (16, 88, True, "project_based")
    }
    assert data[members[2]]["unit_id"] == "kel-kaliwiru"
    assert data[members[0]]["unit_id"] == "kel-candi"

    shown = (await http.get(f"{url}/{group['group_id']}", headers=bearer(keys.reader))).json()
    assert shown["assessment"]["score"] == 88
    listed = (
        await http.get(f"{stack.urls['training']}/asn/{members[1]}/trainings", headers=bearer(keys.reader))
    ).json()
    assert [(c["group_id"], c["jp"]) for y in listed["years"] for c in y["completed"]] == [
        (group["group_id"], 16)
    ]


async def test_groups_are_refused_field_by_field(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    project = await create_program(http, stack, keys, method="project_based")
    classroom = await create_program(http, stack, keys, method="classroom")
    url = f"{stack.urls['training']}/groups"
    nip = random_nip()
    cases = [
        (a_group(project["program_id"], [nip]), 422, "members"),
        (a_group(project["program_id"], [random_nip() for _ in range(9)]), 422, "members"),
        (a_group(project["program_id"], [nip, nip]), 422, None),
        (a_group(project["program_id"], [nip, random_nip()], brief=""), 422, "brief"),
        (a_group(classroom["program_id"], [nip, random_nip()]), 422, "program_id"),
        (a_group(random_id("nope"), [nip, random_nip()]), 404, None),
    ]
    for body, status, field in cases:
        answer = await http.post(url, json=body, headers=bearer(keys.integrator))
        assert answer.status_code == status, (body, answer.text)
        if field:
            assert field in {str(part) for p in answer.json()["detail"] for part in p["loc"]}
    assert (await http.post(url, json=cases[0][0], headers=bearer(keys.reader))).status_code == 403
    missing = await http.post(
        f"{url}/{random_id('grp')}/assessment",
        json={"score": 1, "passed": False},
        headers=bearer(keys.integrator),
    )
    assert missing.status_code == 404


async def _all_published(bus: infra.BusRecorder, ids: list[str]) -> bool:
    return all(bus.routing_keys(i) for i in ids)
