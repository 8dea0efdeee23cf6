"""Every route of every running service, probed with no key and a key of each role and scope."""

import json
from pathlib import Path

import httpx
import pytest

from shared.contract import envelope, events
from shared.web import apikeys
from tests import access, infra
from tests.builders import a_survey_submitted, a_training_completed, random_id, random_nip, structured

pytestmark = pytest.mark.e2e

NIP = random_nip()
SAMPLES = {"{nip}": NIP, "{program_id}": "p-none", "{group_id}": "g-none", "{forum_id}": "f-none",
           "{unit_id}": "kel-candi"}  # fmt: skip
EVENTS = {
    "training": a_training_completed(nip=NIP),
    "survey": a_survey_submitted(),
    "evaluation": events.PerformanceAppraised(nip=NIP, unit_id="kel-candi", period="2026-Q4", rating="BAIK"),
}


def probe(client: httpx.Client, service: str, method: str, path: str, token: str | None) -> httpx.Response:
    url = path
    for name, value in SAMPLES.items():
        url = url.replace(name, value)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if path == "/events":
        body = json.dumps(structured(EVENTS[service], event_id=f"walk-{service}-{RUN}")).encode()
        return client.request(
            method, url, content=body, headers=headers | {"Content-Type": envelope.CONTENT_TYPE}
        )
    if method in {"POST", "PATCH", "PUT"}:
        return client.request(
            method, url, content=b"{}", headers=headers | {"Content-Type": "application/json"}
        )
    return client.request(method, url, headers=headers)


RUN = random_id("run")


def test_every_route_answers_every_key_as_the_table_says(stack: infra.Stack, var_dir: Path) -> None:
    key_file = apikeys.KeyFile(var_dir / "api-keys.json")
    tokens = {
        kind.name: key_file.create(kind.role, (kind.scope,) if kind.scope else (apikeys.ALL_SCOPES,))
        for kind in access.KEY_KINDS
        if kind.role is not None
    }
    wrong: list[str] = []
    probes = 0
    for (service, method, path), rule in sorted(access.ROUTES.items()):
        kinds = access.KEY_KINDS if rule.role is not None else access.KEY_KINDS[:1]
        with httpx.Client(base_url=stack.urls[service], timeout=30) as client:
            for kind in kinds:
                answer = probe(client, service, method, path, tokens.get(kind.name))
                probes += 1
                if answer.status_code != rule.expected(kind):
                    wrong.append(
                        f"{service} {method} {path} {kind.name}: {answer.status_code} != {rule.expected(kind)}"
                    )
    print(f"\naccess walk: {len(access.ROUTES)} routes, {probes} probes, {len(wrong)} unexpected")
    assert wrong == []
