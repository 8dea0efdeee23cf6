"""Survey forums on the real broker and store: items publish FeedbackReceived once, without text."""

import datetime as dt
from typing import Any

import httpx
import pytest

from shared.contract import events
from tests import infra
from tests.builders import random_id, structured

pytestmark = pytest.mark.e2e


async def test_forum_items_publish_feedback_once_and_summarise(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    url, unit = stack.urls["survey"], infra.fresh_unit()
    writer = {"Authorization": f"Bearer {keys.integrator}"}
    reader = {"Authorization": f"Bearer {keys.reader}"}
    forum = {"date": "2026-05-04", "unit_id": unit, "topic": "Antrian KTP", "attendees": 25}
    assert (await http.post(f"{url}/forums", json=forum)).status_code == 401
    forum_id = (await http.post(f"{url}/forums", json=forum, headers=writer)).json()["id"]
    items = [
        {"category": "complaint", "topic_code": "antrean", "topic": "antrian", "text": "SECRET-TEXT 3 jam"},
        {"category": "complaint", "topic_code": "antrean", "topic": "antrian", "text": "nomor habis"},
        {"category": "appreciation", "topic_code": "sikap_petugas", "topic": "petugas", "text": "ramah"},
    ]
    ids = [
        (await http.post(f"{url}/forums/{forum_id}/items", json=i, headers=writer)).json()["id"]
        for i in items
    ]
    again = await http.post(f"{url}/forums/{forum_id}/items", json=items[0], headers=writer)
    assert again.json()["id"] == ids[0]

    async def published() -> list[dict[str, Any]] | None:
        seen = [e for e in infra.events_on(bus, "survey.feedback_received") if e["data"]["unit_id"] == unit]
        return seen if len(seen) >= 3 else None

    seen = await infra.eventually(published)
    assert sorted(e["data"]["feedback_id"] for e in seen) == sorted(ids)
    assert {e["data"]["topic_code"] for e in seen} == {"antrean", "sikap_petugas"}
    assert {e["data"]["received_at"][:10] for e in seen} == {"2026-05-04"}  # the forum's day
    assert "SECRET-TEXT" not in str(seen)
    feedback = (await http.get(f"{url}/units/{unit}/feedback", headers=reader)).json()
    assert feedback["by_category"] == {"complaint": 2, "appreciation": 1}
    assert {t["topic"]: t.get("complaint", 0) for t in feedback["by_topic"]} == {"antrian": 2, "petugas": 0}
    listed = (await http.get(f"{url}/forums", params={"unit_id": unit}, headers=reader)).json()
    assert [(f["forum_id"], f["items_count"], f["attendees"]) for f in listed] == [(forum_id, 3, 25)]


async def test_feedback_posted_by_an_integrator_counts_once_in_the_unit_summary(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    url, unit = stack.urls["survey"], infra.fresh_unit()
    received = events.FeedbackReceived(
        feedback_id=random_id("fb"), forum_id=None, unit_id=unit, category="suggestion",
        topic="layanan online", received_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    for event_id in ("ev-fb-1", "ev-fb-1", "ev-fb-2"):  # a resend, then the same item under a new id
        body = structured(received, event_id=f"{event_id}-{unit}")
        body["data"]["forum_id"] = None  # feedback from another channel than a forum
        assert (await infra.post_cloudevent(http, url, keys.integrator, body)).status_code == 202
    reader = {"Authorization": f"Bearer {keys.reader}"}
    feedback = (await http.get(f"{url}/units/{unit}/feedback", headers=reader)).json()
    assert feedback["items"] == 1
    assert feedback["by_category"] == {"suggestion": 1}
