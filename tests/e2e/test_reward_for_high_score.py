"""One event end to end: TrainingCompleted -> RewardTriggered -> RewardPointsGranted -> balance."""

from typing import Any

import httpx
import pytest

from shared.contract import envelope
from tests import infra
from tests.builders import a_training_completed, random_id, structured

pytestmark = pytest.mark.e2e


async def post_event(http: httpx.AsyncClient, url: str, key: str, body: dict[str, Any]) -> httpx.Response:
    return await http.post(
        f"{url}/events",
        json=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": envelope.CONTENT_TYPE},
    )


async def test_a_high_score_earns_ten_points_once(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    done = a_training_completed(score=90, passed=True)
    event_id = random_id()
    body = structured(done, event_id=event_id)

    answer = await post_event(http, stack.urls["training"], keys.integrator, body)
    assert answer.status_code == 202
    assert answer.json() == {"id": event_id}

    points_url = f"{stack.urls['rewards']}/asn/{done.nip}/points"
    reader = {"Authorization": f"Bearer {keys.reader}"}

    async def balance() -> int | None:
        return (await http.get(points_url, headers=reader)).json()["balance"] or None

    assert await infra.eventually(balance) == 10
    await infra.eventually(lambda: _seen(bus, "rewards.points_granted"))
    assert bus.routing_keys(event_id) == ["training.completed"]
    assert "evaluation.reward_triggered" in bus.routing_keys()

    again = await post_event(http, stack.urls["training"], keys.integrator, body)
    assert again.status_code == 202
    assert again.json() == {"id": event_id}
    await infra.eventually(lambda: _seen(bus, "training.completed", count=1))
    assert (await http.get(points_url, headers=reader)).json()["balance"] == 10


async def test_binary_mode_is_accepted(stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient) -> None:
    done = a_training_completed()
    answer = await http.post(
        f"{stack.urls['training']}/events",
        content=done.model_dump_json(),
        headers={
            "Authorization": f"Bearer {keys.integrator}",
            "Content-Type": "application/json",
            "ce-id": "bin-1",
            "ce-source": "urn:lms:test",
            "ce-specversion": "1.0",
            "ce-type": "TrainingCompleted",
        },
    )
    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b"{}", 401),
        ({"Content-Type": envelope.CONTENT_TYPE}, b"{not json", 400),
        (
            {"Content-Type": envelope.CONTENT_TYPE},
            b'{"specversion":"1.0","id":"x","source":"s","type":"Nope","data":{}}',
            422,
        ),
        ({"Content-Type": envelope.CONTENT_TYPE}, b"x" * (1024 * 1024 + 1), 413),
    ],
)
async def test_refusals(
    stack: infra.Stack,
    keys: infra.Keys,
    http: httpx.AsyncClient,
    headers: dict[str, str],
    body: bytes,
    status: int,
) -> None:
    if status != 401:
        headers = headers | {"Authorization": f"Bearer {keys.integrator}"}
    answer = await http.post(f"{stack.urls['training']}/events", content=body, headers=headers)
    assert answer.status_code == status


async def test_reader_key_cannot_post(stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient) -> None:
    answer = await post_event(http, stack.urls["training"], keys.reader, structured(a_training_completed()))
    assert answer.status_code == 403


async def _seen(bus: infra.BusRecorder, routing_key: str, count: int = 1) -> bool:
    return bus.routing_keys().count(routing_key) >= count
