"""Forum signals on the real broker and store: complaints per topic in a closed quarter, attendance."""

import datetime as dt
from typing import Any

import httpx
import pytest

from shared.contract import events
from tests import infra
from tests.builders import random_id, random_nip, structured

pytestmark = pytest.mark.e2e
IN_Q3 = dt.datetime(2026, 8, 15, 10, tzinfo=dt.UTC)  # 2026-Q3 closed on 2026-10-07 (today 2026-11-29)


def recommended(bus: infra.BusRecorder, unit_id: str) -> list[dict[str, Any]]:
    return [
        e
        for e in infra.events_on(bus, "evaluation.retraining_recommended")
        if e["data"]["rule_id"] == "forum_complaints" and e["data"].get("unit_id") == unit_id
    ]


async def complain(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, unit: str, topic_code: str, n: int
) -> list[str]:
    """`n` complaints from a channel other than a forum, posted to survey; each posted twice."""
    ids = []
    for _ in range(n):
        received = events.FeedbackReceived(
            feedback_id=random_id("fb"), unit_id=unit, category="complaint", topic="menunggu lama",
            topic_code=topic_code, received_at=IN_Q3,
        )  # fmt: skip
        body = structured(received)
        for _ in range(2):  # a resend changes nothing
            answer = await infra.post_cloudevent(http, stack.urls["survey"], keys.integrator, body)
            assert answer.status_code == 202, answer.text
        ids.append(received.feedback_id)
    return ids


async def signals(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, unit: str) -> dict[str, Any]:
    answer = await http.get(
        f"{stack.urls['evaluation']}/forum-signals",
        params={"period": "2026-Q3", "unit_id": unit},
        headers={"Authorization": f"Bearer {keys.reader}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_five_complaints_on_one_topic_in_a_closed_quarter_make_one_unit_recommendation(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    unit, writer = infra.fresh_unit(), {"Authorization": f"Bearer {keys.integrator}"}
    survey = stack.urls["survey"]
    forum = {"date": "2026-08-20", "unit_id": unit, "topic": "Forum konsultasi publik"}
    forum_id = (await http.post(f"{survey}/forums", json=forum, headers=writer)).json()["id"]
    at_forum = []
    for text in ("antre sejak subuh", "nomor antrean habis", "loket tutup siang"):
        item = {"category": "complaint", "topic_code": "antrean", "text": text}
        answer = await http.post(f"{survey}/forums/{forum_id}/items", json=item, headers=writer)
        assert answer.status_code == 202, answer.text
        at_forum.append(answer.json()["id"])
    cited = at_forum + await complain(http, stack, keys, unit, "antrean", 2)

    found = await infra.eventually(lambda: _async(recommended(bus, unit)), timeout=30)
    await infra.drained(stack, bus)
    [event] = recommended(bus, unit)
    assert (event["data"]["competency"], event["data"]["evidence"]["topic_code"]) == (
        "digital_service",
        "antrean",
    )
    assert sorted(event["data"]["evidence"]["feedback_ids"]) == sorted(cited)
    assert event == found[0]
    shown = await signals(http, stack, keys, unit)
    assert shown["closed"] is True
    assert [(t["topic_code"], t["complaints"], t["signal"]) for t in shown["units"][0]["topics"]] == [
        ("antrean", 5, True)
    ]
    listed = await http.get(
        f"{stack.urls['evaluation']}/recommendations",
        params={"unit_id": unit},
        headers={"Authorization": f"Bearer {keys.reader}"},
    )
    assert [r["rule_id"] for r in listed.json()["recommendations"]] == ["forum_complaints"]


async def test_four_complaints_make_no_recommendation(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    unit = infra.fresh_unit()
    await complain(http, stack, keys, unit, "sikap_petugas", 4)
    await complain(http, stack, keys, unit, "sarana", 1)
    await infra.eventually(lambda: _counted(http, stack, keys, unit, 5))
    await infra.drained(stack, bus)
    run = await http.post(
        f"{stack.urls['evaluation']}/evaluations/run",
        params={"period": "2026-Q3"},
        headers={"Authorization": f"Bearer {keys.admin}"},
    )
    assert run.status_code == 200, run.text
    await infra.drained(stack, bus)
    assert recommended(bus, unit) == []
    shown = await signals(http, stack, keys, unit)
    assert {t["topic_code"]: (t["complaints"], t["signal"]) for t in shown["units"][0]["topics"]} == {
        "sarana": (1, False),
        "sikap_petugas": (4, False),
    }


async def test_an_unknown_topic_code_is_refused(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    received = events.FeedbackReceived(
        feedback_id=random_id("fb"), unit_id=infra.fresh_unit(), category="complaint", topic="x",
        topic_code="no_such_topic", received_at=IN_Q3,
    )  # fmt: skip
    answer = await infra.post_cloudevent(http, stack.urls["survey"], keys.integrator, structured(received))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "data", "topic_code"]


async def test_a_persons_profile_shows_the_forums_they_attended(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    unit, nips = infra.fresh_unit(), [random_nip(), random_nip()]
    writer = {"Authorization": f"Bearer {keys.integrator}"}
    malformed = {"date": "2026-09-02", "unit_id": unit, "topic": "Forum", "attended_by": ["19850714"]}
    assert (
        await http.post(f"{stack.urls['survey']}/forums", json=malformed, headers=writer)
    ).status_code == 422
    forum = malformed | {"topic_code": "layanan_online", "attended_by": nips, "attendees": 40}
    forum_id = (await http.post(f"{stack.urls['survey']}/forums", json=forum, headers=writer)).json()["id"]

    async def shown() -> list[dict[str, Any]] | None:
        answer = await http.get(
            f"{stack.urls['evaluation']}/asn/{nips[1]}/profile",
            headers={"Authorization": f"Bearer {keys.reader}"},
        )
        return answer.json()["forums"] or None

    assert await infra.eventually(shown) == [
        {
            "forum_id": forum_id,
            "date": "2026-09-02",
            "unit_id": unit,
            "topic": "Forum",
            "topic_code": "layanan_online",
        }
    ]


async def _counted(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, unit: str, n: int) -> bool:
    found = (await signals(http, stack, keys, unit))["units"]
    return bool(found) and sum(t["complaints"] for t in found[0]["topics"]) == n


async def _async[T](value: T) -> T:
    return value
