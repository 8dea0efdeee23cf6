"""Training catalogue and enrolments over HTTP: keys, field-level 422s, capacity under concurrency."""

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest

from tests import infra
from tests.builders import random_id, random_nip

pytestmark = pytest.mark.e2e
WIB = dt.timezone(dt.timedelta(hours=7))


def a_program(**changes: Any) -> dict[str, Any]:
    start = dt.datetime.now(WIB).replace(microsecond=0) + dt.timedelta(days=30)
    fields: dict[str, Any] = {
        "program_id": random_id("prog"),
        "title": "Pelayanan kependudukan digital",
        "competency": "digital_service",
        "method": "classroom",
        "jp": 8,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(days=2)).isoformat(),
        "capacity": 20,
    }
    return fields | changes


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def create_program(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, **changes: Any
) -> dict[str, Any]:
    body = a_program(**changes)
    answer = await http.post(f"{stack.urls['training']}/programs", json=body, headers=bearer(keys.admin))
    assert answer.status_code == 201, answer.text
    return body


async def test_the_catalogue_takes_an_admin_key_and_anyone_reads_it(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    url = f"{stack.urls['training']}/programs"
    body = a_program(timezone="Asia/Jakarta")
    assert (await http.post(url, json=body)).status_code == 401
    assert (await http.post(url, json=body, headers=bearer(keys.integrator))).status_code == 403
    created = await http.post(url, json=body, headers=bearer(keys.admin))
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["program_id"] == body["program_id"]
    assert (shown["jp"], shown["minutes"], shown["capacity"], shown["enrolled"]) == (8, 360, 20, 0)
    assert shown["starts_at"] == body["starts_at"]  # shown in the programme's timezone

    again = await http.post(url, json=body, headers=bearer(keys.admin))
    assert again.status_code == 200  # a retried POST of the same programme
    different = await http.post(url, json=body | {"jp": 9}, headers=bearer(keys.admin))
    assert different.status_code == 409

    assert (await http.get(f"{url}/{body['program_id']}")).json()["title"] == body["title"]
    listed = (await http.get(url, params={"competency": "digital_service", "upcoming": "true"})).json()
    assert body["program_id"] in {p["program_id"] for p in listed}


async def test_field_level_422s(stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient) -> None:
    url = f"{stack.urls['training']}/programs"
    bad = a_program(
        competency="cooking", jp=0, capacity=-1, method="webinar", starts_at="2027-01-01T08:00:00"
    )
    answer = await http.post(url, json=bad, headers=bearer(keys.admin))
    assert answer.status_code == 422
    fields = {e["loc"][-1] for e in answer.json()["detail"]}
    assert {"jp", "capacity", "method", "starts_at"} <= fields

    unknown = await http.post(url, json=a_program(competency="cooking"), headers=bearer(keys.admin))
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "competency"]

    backwards = a_program()
    backwards["ends_at"] = "2020-01-01T08:00:00+07:00"
    assert (await http.post(url, json=backwards, headers=bearer(keys.admin))).status_code == 422


async def test_patch_changes_fields_and_validates_the_whole(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    program = await create_program(http, stack, keys, capacity=2)
    url = f"{stack.urls['training']}/programs/{program['program_id']}"
    patched = await http.patch(url, json={"title": "Baru", "capacity": 3}, headers=bearer(keys.admin))
    assert patched.status_code == 200, patched.text
    assert (patched.json()["title"], patched.json()["capacity"]) == ("Baru", 3)
    assert (await http.patch(url, json={"jp": 3}, headers=bearer(keys.reader))).status_code == 403
    before_start = {"ends_at": "2020-01-01T00:00:00+07:00"}
    assert (await http.patch(url, json=before_start, headers=bearer(keys.admin))).status_code == 422
    assert (
        await http.patch(url, json={"method": "e_learning"}, headers=bearer(keys.admin))
    ).status_code == 422
    missing = f"{stack.urls['training']}/programs/{random_id('nope')}"
    assert (await http.patch(missing, json={"jp": 3}, headers=bearer(keys.admin))).status_code == 404

    for _ in range(2):
        await enrol(http, stack, keys, program["program_id"], random_nip())
    shrink = await http.patch(url, json={"capacity": 1}, headers=bearer(keys.admin))
    assert shrink.status_code == 409


async def enrol(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, program_id: str, nip: str
) -> httpx.Response:
    return await http.post(
        f"{stack.urls['training']}/programs/{program_id}/enrolments",
        json={"nip": nip, "unit_id": "kel-candi"},
        headers=bearer(keys.integrator),
    )


async def test_capacity_holds_under_concurrent_enrolments(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    program = await create_program(http, stack, keys, capacity=5)
    people = [random_nip() for _ in range(24)]
    answers = await asyncio.gather(*(enrol(http, stack, keys, program["program_id"], nip) for nip in people))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 5 + [409] * 19
    url = f"{stack.urls['training']}/programs/{program['program_id']}"
    shown = (await http.get(url)).json()
    assert (shown["enrolled"], shown["seats_left"]) == (5, 0)
    holders = (await http.get(f"{url}/enrolments", headers=bearer(keys.reader))).json()["enrolled"]
    winners = sorted(nip for nip, a in zip(people, answers, strict=True) if a.status_code == 201)
    assert holders == winners


async def test_enrol_again_withdraw_and_the_persons_list(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    program = await create_program(http, stack, keys, capacity=1)
    nip = random_nip()
    assert (await enrol(http, stack, keys, program["program_id"], nip)).status_code == 201
    assert (await enrol(http, stack, keys, program["program_id"], nip)).status_code == 200
    assert (await enrol(http, stack, keys, program["program_id"], random_nip())).status_code == 409
    nobody = await enrol(http, stack, keys, random_id("nope"), nip)
    assert nobody.status_code == 404

    trainings = f"{stack.urls['training']}/asn/{nip}/trainings"
    assert (await http.get(trainings)).status_code == 401
    listed = (await http.get(trainings, headers=bearer(keys.reader))).json()
    assert [e["program_id"] for e in listed["enrolled"]] == [program["program_id"]]
    assert listed["unit_id"] == "kel-candi"

    seat = f"{stack.urls['training']}/programs/{program['program_id']}/enrolments/{nip}"
    assert (await http.delete(seat, headers=bearer(keys.reader))).status_code == 403
    assert (await http.delete(seat, headers=bearer(keys.integrator))).status_code == 200
    assert (await http.delete(seat, headers=bearer(keys.integrator))).status_code == 404
    listed = (await http.get(trainings, headers=bearer(keys.reader))).json()
    assert listed["enrolled"] == []
    assert [e["status"] for e in listed["enrolments"]] == ["withdrawn"]
    assert (await enrol(http, stack, keys, program["program_id"], random_nip())).status_code == 201
