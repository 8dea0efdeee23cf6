"""Survey POST /events on the real broker and store: integrator key, one response per response_id."""

from typing import Any

import httpx
import pytest

from tests import infra
from tests.builders import a_survey_submitted, wrapped

pytestmark = pytest.mark.e2e


async def test_same_response_under_two_event_ids_is_stored_counted_and_published_once(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    url, unit = stack.urls["survey"], infra.fresh_unit()
    response = a_survey_submitted(unit_id=unit, period="2026-Q3")
    first, second = wrapped(response), wrapped(response)
    body = first.model_dump(mode="json", exclude_none=True)
    assert (await infra.post_cloudevent(http, url, keys.reader, body)).status_code == 403
    for event in (first, second, first):
        answer = await infra.post_cloudevent(
            http, url, keys.integrator, event.model_dump(mode="json", exclude_none=True)
        )
        assert answer.status_code == 202

    async def published() -> list[dict[str, Any]] | None:
        seen = [e for e in infra.events_on(bus, "survey.submitted") if e["data"]["unit_id"] == unit]
        return seen or None

    assert [e["id"] for e in await infra.eventually(published)] == [first.id]
    summary = await http.get(
        f"{url}/units/{unit}/responses/summary",
        params={"period": "2026-Q3"},
        headers={"Authorization": f"Bearer {keys.reader}"},
    )
    assert summary.json()["responses"] == 1
