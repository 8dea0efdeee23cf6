"""X-Forwarded-For is believed only from TRUSTED_PROXIES: one client cannot rotate past the rate limit."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mutu import launcher
from tests import infra
from tests.e2e.test_survey_kiosk import a_response

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def surveys(amqp_url: str, store_url: str, var_dir: Path) -> Iterator[dict[str, str]]:
    """Two survey processes with a burst of one response: one trusts no proxy, one trusts 127.0.0.1."""
    limits = {"RESPONSES_BURST": "1", "RESPONSES_RATE_PER_SECOND": "0.01"}
    stacks = {
        "untrusted": infra.Stack(infra.service_env(amqp_url, store_url, var_dir, **limits)),
        "trusted": infra.Stack(
            infra.service_env(amqp_url, store_url, var_dir, TRUSTED_PROXIES="127.0.0.1", **limits)
        ),
    }
    for stack in stacks.values():
        stack.start("survey")
    try:
        launcher.wait_healthy([s.urls["survey"] for s in stacks.values()], timeout=180)
        yield {name: stack.urls["survey"] for name, stack in stacks.items()}
    finally:
        for stack in stacks.values():
            stack.stop_all()


def statuses(url: str) -> list[int]:
    """Three responses from this one client, each claiming another address."""
    with httpx.Client(base_url=url, timeout=30) as client:
        return [
            client.post(
                "/responses",
                json=a_response(unit_id="kel-candi"),
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(3)
        ]


def test_forwarded_addresses_are_ignored_by_default(surveys: dict[str, str]) -> None:
    assert statuses(surveys["untrusted"]) == [202, 429, 429]


def test_forwarded_addresses_count_behind_a_trusted_proxy(surveys: dict[str, str]) -> None:
    assert statuses(surveys["trusted"]) == [202, 202, 202]
