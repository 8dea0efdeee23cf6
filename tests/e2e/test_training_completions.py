"""Completions posted as CloudEvents: stored and published once, listed per year with score and JP."""

import asyncio
import datetime as dt

import httpx
import pytest

from tests import infra
from tests.builders import a_training_completed, random_id, random_nip, structured
from tests.e2e.test_training_catalogue import bearer

pytestmark = pytest.mark.e2e
WIB = dt.timezone(dt.timedelta(hours=7))


async def test_the_same_event_posted_concurrently_is_published_once(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    done = a_training_completed(nip=random_nip(), jp=6, score=88)
    body = structured(done, event_id=random_id())
    answers = await asyncio.gather(
        *(infra.post_cloudevent(http, stack.urls["training"], keys.integrator, body) for _ in range(8))
    )
    assert {a.status_code for a in answers} == {202}
    assert {a.json()["id"] for a in answers} == {body["id"]}

    await infra.eventually(lambda: _published(bus, body["id"]))
    await infra.drained(stack, bus)  # nothing left to publish: a second copy would be recorded by now
    assert bus.routing_keys(body["id"]) == ["training.completed"]
    published = [e for e in infra.events_on(bus, "training.completed") if e["id"] == body["id"]]
    assert published[0]["source"] == body["source"]
    assert published[0]["data"]["jp"] == 6

    listed = await _trainings(http, stack, keys, done.nip)
    assert [c["event_id"] for y in listed["years"] for c in y["completed"]] == [body["id"]]


async def test_trainings_are_listed_per_year_with_score_and_jp(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    nip = random_nip()
    posted = [
        a_training_completed(nip=nip, jp=8, score=90, completed_at=dt.datetime(2026, 3, 2, 9, tzinfo=WIB)),
        a_training_completed(
            nip=nip, jp=6, score=65, passed=False, completed_at=dt.datetime(2026, 9, 2, tzinfo=WIB)
        ),
        a_training_completed(nip=nip, jp=4, score=80, completed_at=dt.datetime(2025, 6, 1, tzinfo=WIB)),
    ]
    for done in posted:
        answer = await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, structured(done))
        assert answer.status_code == 202, answer.text
    listed = await _trainings(http, stack, keys, nip)
    summary = [
        (y["year"], y["jp"], y["jp_passed"], [c["score"] for c in y["completed"]]) for y in listed["years"]
    ]
    assert summary == [(2026, 14, 8, [90, 65]), (2025, 4, 4, [80])]
    only = await http.get(
        f"{stack.urls['training']}/asn/{nip}/trainings", params={"year": 2025}, headers=bearer(keys.reader)
    )
    assert [y["year"] for y in only.json()["years"]] == [2025]


async def test_an_unknown_competency_is_refused_field_by_field(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    body = structured(a_training_completed(competency="cooking"))
    answer = await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "data", "competency"]


async def test_personal_reads_need_a_reader_key(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    url = f"{stack.urls['training']}/asn/{random_nip()}/trainings"
    assert (await http.get(url)).status_code == 401
    assert (await http.get(url, headers=bearer(keys.integrator))).status_code == 403
    assert (await http.get(url, headers=bearer(keys.reader))).json()["years"] == []


async def _trainings(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, nip: str) -> dict:  # type: ignore[type-arg]
    answer = await http.get(f"{stack.urls['training']}/asn/{nip}/trainings", headers=bearer(keys.reader))
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


async def _published(bus: infra.BusRecorder, event_id: str) -> bool:
    return bool(bus.routing_keys(event_id))
