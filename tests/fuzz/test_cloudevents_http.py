"""Malformed CloudEvents posted to every /events: always 400, 413 or 422, never a 5xx or an echo."""

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from shared.contract import events
from tests import infra
from tests.builders import a_survey_submitted, a_training_completed, random_nip, structured
from tests.fuzz import malformed

pytestmark = pytest.mark.e2e

EXAMPLES = 120
REFUSED = {400, 413, 422}
ONE_MIB = 1024 * 1024


def valid_event(service: str) -> dict[str, Any]:
    nip = random_nip()
    if service == "training":
        return structured(a_training_completed(nip=nip))
    if service == "survey":
        return structured(a_survey_submitted(served_by_nip=nip))
    return structured(
        events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026-Q4", rating="BAIK")
    )


@pytest.mark.parametrize("service", ["training", "survey", "evaluation"])
def test_malformed_cloudevents_are_refused_without_echo(
    service: str, stack: infra.Stack, keys: infra.Keys
) -> None:
    valid = valid_event(service)
    nip = valid["data"].get("nip") or valid["data"]["served_by_nip"]
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=stack.urls[service], timeout=30) as client:

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(request=malformed.http_requests(valid))
        def post(request: malformed.Body) -> None:
            content_type, headers, body = request
            answer = client.post(
                "/events",
                content=body,
                headers={"Authorization": f"Bearer {keys.integrator}", "Content-Type": content_type}
                | headers,
            )
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            assert answer.status_code in REFUSED, (request, answer.status_code, answer.text)
            assert nip not in answer.text

        post()
    print(f"\nmalformed CloudEvents to {service}: {sum(statuses.values())} cases, statuses {statuses}")
    assert {400, 422} <= set(statuses)


def test_bodies_over_the_limit_are_413_announced_or_streamed(stack: infra.Stack, keys: infra.Keys) -> None:
    headers = {"Authorization": f"Bearer {keys.integrator}", "Content-Type": "application/cloudevents+json"}
    url = f"{stack.urls['training']}/events"
    announced = httpx.post(url, content=b" " * (ONE_MIB + 1), headers=headers, timeout=30)

    def chunks() -> Any:
        for _ in range(17):
            yield b" " * 65536

    streamed = httpx.post(url, content=chunks(), headers=headers, timeout=30)
    assert (announced.status_code, streamed.status_code) == (413, 413)
