"""Survey kiosk on the real broker and store: questionnaire, anonymous responses once, limits."""

import asyncio
from typing import Any

import httpx
import pytest

from tests import infra
from tests.builders import random_id

pytestmark = pytest.mark.e2e


def a_response(**changes: Any) -> dict[str, Any]:
    return {
        "response_id": random_id(),
        "unit_id": "kel-candi",
        "service_type": "KTP-el",
        "channel": "counter",
        "answers": {f"u{i}": 1 + i % 4 for i in range(1, 10)},
        "respondent": {"age_band": "25-34", "sex": "P"},
        "comment": "SECRET-COMMENT antrian lama",
    } | changes


async def test_questionnaire_lists_nine_elements(stack: infra.Stack, http: httpx.AsyncClient) -> None:
    form = (await http.get(f"{stack.urls['survey']}/questionnaire")).json()
    assert [e["name"] for e in form["elements"]][7:] == [
        "Penanganan Pengaduan, Saran dan Masukan",
        "Sarana dan Prasarana",
    ]
    assert set(form["respondent_profile"]) == {"age_band", "sex", "education", "occupation"}


async def test_duplicate_response_published_once_without_comment(
    stack: infra.Stack, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    body = a_response()
    answers = [await http.post(f"{stack.urls['survey']}/responses", json=body) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert {a.json()["id"] for a in answers} == {body["response_id"]}

    async def published() -> list[dict[str, Any]] | None:
        seen = [
            e
            for e in infra.events_on(bus, "survey.submitted")
            if e["data"]["response_id"] == body["response_id"]
        ]
        return seen or None

    seen = await infra.eventually(published)
    await infra.drained(stack, bus)  # nothing left to publish: a second copy would be recorded by now
    seen = [
        e for e in infra.events_on(bus, "survey.submitted") if e["data"]["response_id"] == body["response_id"]
    ]
    assert len(seen) == 1
    assert "SECRET-COMMENT" not in str(seen[0])
    assert "comment" not in seen[0]["data"]
    assert seen[0]["data"]["period"].count("-Q") == 1


@pytest.mark.parametrize("field", ["name", "phone", "email", "address"])
async def test_personal_fields_are_refused(stack: infra.Stack, http: httpx.AsyncClient, field: str) -> None:
    answer = await http.post(f"{stack.urls['survey']}/responses", json=a_response(**{field: "x"}))
    assert answer.status_code == 422


async def test_large_body_refused(stack: infra.Stack, http: httpx.AsyncClient) -> None:
    answer = await http.post(f"{stack.urls['survey']}/responses", json=a_response(service_type="x" * 20_000))
    assert answer.status_code == 413


async def test_summary_counts_each_response_once(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    unit = infra.fresh_unit()
    bodies = [
        a_response(unit_id=unit, period="2026-Q2", channel="online" if i % 3 else "counter") for i in range(9)
    ]
    for body in bodies + bodies[:3]:
        assert (await http.post(f"{stack.urls['survey']}/responses", json=body)).status_code == 202
    answer = await http.get(
        f"{stack.urls['survey']}/units/{unit}/responses/summary",
        params={"period": "2026-Q2"},
        headers={"Authorization": f"Bearer {keys.reader}"},
    )
    summary = answer.json()
    assert summary["responses"] == 9
    assert summary["channels"] == {"online": 6, "counter": 3}
    assert summary["answers"]["u1"] == {"2": 9}
    assert summary["profile"]["sex"] == {"P": 9}
    assert summary["sample"] == {"population": 1000, "minimum": 278, "reached": False}


# Last in this file: it empties this client's token bucket.
async def test_burst_from_one_client_is_rate_limited(stack: infra.Stack, http: httpx.AsyncClient) -> None:
    answers = await asyncio.gather(
        *(http.post(f"{stack.urls['survey']}/responses", json=a_response(answers={})) for _ in range(120))
    )
    limited = [a for a in answers if a.status_code == 429]
    assert limited
    assert int(limited[0].headers["Retry-After"]) >= 1


NIP = "198507142010011003"


async def kiosk(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> httpx.Response:
    """POST /responses, waiting out the rate limit an earlier test may have emptied."""
    while (answer := await http.post(f"{url}/responses", json=body)).status_code == 429:
        await asyncio.sleep(float(answer.headers["Retry-After"]))
    return answer


async def test_a_ticketed_answer_names_its_officer_once_and_anonymous_ones_never(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    url, unit = stack.urls["survey"], infra.fresh_unit()
    integrator = {"Authorization": f"Bearer {keys.integrator}"}
    body = {"unit_id": unit, "served_by_nip": NIP, "service_type": "KK", "channel": "counter"}
    issued = await http.post(f"{url}/tickets", json=body, headers=integrator)
    assert issued.status_code == 201
    ticket = issued.json()["ticket"]
    assert issued.json()["url"].endswith(f"/t/{ticket}")
    answer = {"response_id": random_id(), "ticket": ticket, "answers": {f"u{i}": 4 for i in range(1, 10)}}
    assert (await kiosk(http, url, answer | {"unit_id": "kel-candi"})).status_code == 202
    second = await kiosk(http, url, answer | {"response_id": random_id()})
    assert second.status_code == 409
    anonymous = a_response(unit_id=unit, served_by_nip=NIP)
    refused = await kiosk(http, url, anonymous)
    assert (refused.status_code, refused.json()["detail"][0]["loc"]) == (422, ["body", "served_by_nip"])
    phantom = await kiosk(http, url, a_response(unit_id="kel-phantom"))
    assert phantom.status_code == 422

    def named() -> list[dict[str, Any]]:
        return [e for e in infra.events_on(bus, "survey.submitted") if e["data"]["unit_id"] == unit]

    async def published() -> list[dict[str, Any]] | None:
        return named() or None

    (event,) = await infra.eventually(published)
    assert (event["data"]["served_by_nip"], event["data"]["service_type"]) == (NIP, "KK")
    assert event["data"]["response_id"] == answer["response_id"]
    await infra.drained(stack, bus)
    assert len(named()) == 1
