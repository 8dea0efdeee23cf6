"""Hostile and careless input on the newer surfaces (forums, forum signals, effectiveness, recommendations)."""

import datetime as dt

import httpx
import pytest

from tests import infra
from tests.builders import random_nip
from tests.e2e.test_training_catalogue import bearer

pytestmark = pytest.mark.e2e


def quarter_not_started() -> str:
    return f"{dt.datetime.now(dt.UTC).year + 1}-Q2"


async def test_reads_refuse_a_period_not_started_and_an_unknown_unit(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    """These answered 200 with empty lists, as if the quarter or the unit had nothing to say."""
    url, reader = stack.urls["evaluation"], bearer(keys.reader)
    refused = [
        ("/forum-signals", {"period": quarter_not_started()}),
        ("/forum-signals", {"period": "2026-Q1", "unit_id": "kel-nowhere"}),
        ("/effectiveness", {"period": quarter_not_started()}),
        ("/effectiveness", {"period": quarter_not_started()[:4]}),
        ("/recommendations", {"unit_id": "kel-nowhere"}),
        ("/recommendations", {"unit_id": "kel-nowhere", "status": "open"}),
    ]
    for path, params in refused:
        answer = await http.get(f"{url}{path}", params=params, headers=reader)
        assert answer.status_code == 422, (path, params, answer.text)
        (reason,) = answer.json()["detail"]  # the OpenAPI's 422 shape: a list of reasons
        assert reason["loc"][0] == "query", reason
    for path, params in [
        ("/forum-signals", {"period": "2026-Q1", "unit_id": "kel-candi"}),
        ("/effectiveness", {"period": "2026"}),
        ("/recommendations", {"unit_id": "kel-candi"}),
    ]:
        assert (await http.get(f"{url}{path}", params=params, headers=reader)).status_code == 200


async def test_a_forum_not_held_yet_is_422_and_another_forum_under_its_id_409(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    url, writer = f"{stack.urls['survey']}/forums", bearer(keys.integrator)
    unit = infra.fresh_unit()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()
    forum = {"date": "2026-05-04", "unit_id": unit, "topic": "Antrian KTP", "attended_by": [random_nip()]}
    future = await http.post(url, json=forum | {"date": later}, headers=writer)
    assert future.status_code == 422, future.text
    assert future.json()["detail"][0]["type"] == "future_date"
    first = await http.post(url, json=forum, headers=writer)
    again = await http.post(url, json=forum, headers=writer)
    other = await http.post(url, json=forum | {"attended_by": [random_nip(), random_nip()]}, headers=writer)
    assert [first.status_code, again.status_code, other.status_code] == [202, 202, 409], other.text
    assert first.json() == again.json()
    await infra.drained(stack, bus)
    held = [e for e in infra.events_on(bus, "survey.forum_held") if e["data"]["unit_id"] == unit]
    assert [e["data"]["attended_by"] for e in held] == [forum["attended_by"]]


async def test_survey_reads_of_an_unknown_unit_are_refused(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    """They answered 200 with zero counts for any slug, as for a configured unit with no feedback."""
    url, reader = stack.urls["survey"], bearer(keys.reader)
    summary = f"{url}/units/kel-nowhere/responses/summary"
    assert (await http.get(summary, params={"period": "2026-Q2"}, headers=reader)).status_code == 404
    assert (await http.get(f"{url}/units/kel-nowhere/feedback", headers=reader)).status_code == 404
    assert (await http.get(f"{url}/units/KEL%00/feedback", headers=reader)).status_code == 422
    listed = await http.get(f"{url}/forums", params={"unit_id": "kel-nowhere"}, headers=reader)
    assert listed.status_code == 422, listed.text
    long = await http.get(f"{url}/forums", params={"unit_id": "x" * 5000}, headers=reader)
    assert long.status_code == 422
    for path in ("/units/kel-candi/feedback", "/forums?unit_id=kel-candi"):
        assert (await http.get(f"{url}{path}", headers=reader)).status_code == 200


async def test_a_pppk_goes_on_the_roster_under_the_ni_pppk(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    """REFERENCE 5's NI PPPK (digits 13-14 a code, not a month) was refused as an impossible NIP."""
    url, admin, unit = stack.urls["training"], bearer(keys.admin), infra.fresh_unit()
    entry = {"unit_id": unit, "employee_type": "PPPK", "name": "Rina", "active": True}
    put = await http.put(f"{url}/asn/199009132025242014", json=entry, headers=admin)
    assert put.status_code == 200, put.text
    as_pns = await http.put(
        f"{url}/asn/199009132025242014", json=entry | {"employee_type": "PNS"}, headers=admin
    )
    assert as_pns.status_code == 422
    members = (await http.get(f"{url}/units/{unit}/members", headers=bearer(keys.reader))).json()
    assert [(m["nip"], m["employee_type"]) for m in members["members"]] == [("199009132025242014", "PPPK")]
