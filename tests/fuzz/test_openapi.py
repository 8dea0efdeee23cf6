"""Schemathesis against each live service's OpenAPI: no 5xx, and answers match the documented schema."""

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from mutu import launcher
from tests import infra

pytestmark = pytest.mark.e2e
EXAMPLES = 12  # per operation and generation method (valid and invalid data): ~1,000 calls in all
SKIP = {("POST", "/evaluations/run")}  # walks every person in the session's store: fuzzed in unit tests
METHODS = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def operations(url: str) -> Iterator[APIOperation]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    schema.config.update(base_url=url)
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIP:
            yield operation


def fuzz(operation: APIOperation, method: GenerationMode, key: str, session: requests.Session) -> int:
    """Run one operation's examples; returns how many cases were sent."""
    sent = 0
    strategy = operation.as_strategy(generation_mode=method)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        nonlocal sent
        response = case.call(session=session, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        sent += 1
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid: no parameters and no body
        assert method is GenerationMode.NEGATIVE, operation.label
        assert sent == 0
    return sent


@pytest.mark.parametrize("service", launcher.SERVICES)
def test_the_openapi_of_every_service_holds_under_fuzzing(
    service: str, stack: infra.Stack, keys: infra.Keys
) -> None:
    url = stack.urls[service]
    counts: dict[str, int] = {}
    with requests.Session() as session:
        for operation in operations(url):
            for method in METHODS:
                counts[f"{operation.label} ({method.name})"] = fuzz(operation, method, keys.admin, session)
    print(f"\nschemathesis {service}: {sum(counts.values())} cases over {len(counts) // 2} operations")
    assert len(counts) >= 2 * 4
    assert all(n > 0 for name, n in counts.items() if "positive" in name), counts


def test_an_anonymous_caller_gets_401_on_every_keyed_operation(stack: infra.Stack) -> None:
    """Every operation documenting the bearer scheme refuses a valid-looking call without a key."""
    tried = 0
    with requests.Session() as session:
        for service in launcher.SERVICES:
            for operation in operations(stack.urls[service]):
                if not operation.definition.raw.get("security"):
                    continue

                @settings(
                    max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck)
                )
                @given(case=operation.as_strategy())
                def anonymous(case: Case) -> None:
                    nonlocal tried
                    if case.headers:  # schemathesis fills in the security scheme itself
                        case.headers.pop("Authorization", None)
                    response = case.call(session=session, timeout=30)
                    tried += 1
                    assert response.status_code == 401, (case.as_curl_command(), response.text)

                anonymous()
    print(f"\nanonymous calls to keyed operations: {tried}, all 401")
    assert tried >= 3 * 15
