"""A real Prometheus scrapes the running services and answers queries for each of them."""

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests import infra
from tests.builders import a_survey_submitted, a_training_completed, random_id, structured

pytestmark = pytest.mark.integration

RULES = Path(__file__).parents[2] / "deploy" / "prometheus" / "alert-rules.yml"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


@pytest.fixture(scope="module")
def prometheus(stack: infra.Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prometheus on a free port, scraping every service of the test stack each second."""
    home = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "mutu",
                "static_configs": [
                    {"targets": [url.removeprefix("http://")], "labels": {"service": service}}
                    for service, url in stack.urls.items()
                ],
            }
        ],
    }
    (home / "prometheus.yml").write_text(yaml.safe_dump(config))
    url = f"http://127.0.0.1:{infra.free_port()}"
    process = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={home / 'prometheus.yml'}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address={url.removeprefix('http://')}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(home / "prometheus.log").open("w"),
    )
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


async def query(http: httpx.AsyncClient, prometheus: str, promql: str) -> list[dict[str, Any]]:
    try:
        answer = await http.get(f"{prometheus}/api/v1/query", params={"query": promql})
    except httpx.TransportError:  # still starting
        return []
    if answer.status_code == 503:
        return []
    body = answer.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


async def test_prometheus_scrapes_one_metric_of_each_service(
    prometheus: str, stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    done = a_training_completed(score=95, passed=True)
    failed = a_training_completed(score=40, passed=False)
    for data in (done, failed):
        answer = await infra.post_cloudevent(
            http, stack.urls["training"], keys.integrator, structured(data, event_id=random_id())
        )
        assert answer.status_code == 202
    response = structured(a_survey_submitted(unit_id="kel-tegalsari"), event_id=random_id())
    assert (
        await infra.post_cloudevent(http, stack.urls["survey"], keys.integrator, response)
    ).status_code == 202
    reader = {"Authorization": f"Bearer {keys.reader}"}
    assert (
        await http.get(f"{stack.urls['rewards']}/asn/{done.nip}/points", headers=reader)
    ).status_code == 200

    async def counted() -> bool | None:  # reading a unit's IKM refreshes its gauge
        ikm = f"{stack.urls['evaluation']}/units/kel-tegalsari/ikm"
        answer = await http.get(ikm, params={"period": response["data"]["period"]})
        return (answer.status_code == 200 and answer.json()["respondents"] > 0) or None

    await infra.eventually(counted, timeout=60)

    expected = [  # one metric of each service, then the domain metrics
        ("training", 'mutu_events_accepted_total{service="training", event_type="TrainingCompleted"}'),
        ("survey", 'mutu_http_requests_total{service="survey", route="/readyz", status="200"}'),
        (
            "evaluation",
            'faststream_received_messages_total{service="evaluation", handler=~".*training.completed"}',
        ),
        ("rewards", 'mutu_http_requests_total{service="rewards", route="/asn/{nip}/points"}'),
        ("rewards", 'mutu_reward_points_granted_total{service="rewards", rule_id="training_high_score"}'),
        ("evaluation", 'mutu_recommendations_issued_total{service="evaluation"}'),
        ("evaluation", 'mutu_ikm_converted{service="evaluation", unit_id="kel-tegalsari"}'),
    ]
    for service, promql in expected:

        async def found(promql: str = promql) -> list[dict[str, Any]]:
            return [r for r in await query(http, prometheus, promql) if float(r["value"][1]) > 0]

        series = await infra.eventually(found, timeout=60)
        assert series[0]["metric"]["service"] == service

    up = await query(http, prometheus, 'up{job="mutu"} == 1')
    assert {r["metric"]["service"] for r in up} == set(stack.urls)


async def test_no_personal_data_in_any_label(
    prometheus: str, stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    done = a_training_completed()
    reader = {"Authorization": f"Bearer {keys.reader}"}
    await http.get(f"{stack.urls['rewards']}/asn/{done.nip}/points", headers=reader)
    await http.get(f"{stack.urls['training']}/asn/{done.nip}/trainings", headers=reader)
    for url in stack.urls.values():
        text = (await http.get(f"{url}/metrics")).text
        assert done.nip not in text
    assert '/asn/{nip}/points"' in (await http.get(f"{stack.urls['rewards']}/metrics")).text
    # A method the HTTP parser knows but the metrics do not is counted as OTHER; a made-up one
    # never reaches the app: the parser answers 400 itself.
    await http.request("PROPFIND", f"{stack.urls['survey']}/coffee/{done.nip}")
    brewed = await http.request("BREW", f"{stack.urls['survey']}/coffee/{done.nip}")
    assert brewed.status_code == 400
    text = (await http.get(f"{stack.urls['survey']}/metrics")).text
    assert 'method="OTHER",route="<unmatched>"' in text
    assert "PROPFIND" not in text
    assert "BREW" not in text
    assert done.nip not in text


async def test_alert_rules_are_loaded_and_sampled_gauges_are_scraped(
    prometheus: str, http: httpx.AsyncClient
) -> None:
    async def rules() -> list[str]:
        try:
            groups = (await http.get(f"{prometheus}/api/v1/rules")).json()["data"]["groups"]
        except httpx.TransportError:
            return []
        return [rule["name"] for group in groups for rule in group["rules"]]

    assert "MutuIkmGradeD" in await infra.eventually(rules, timeout=60)

    async def gauges() -> list[dict[str, Any]]:
        return await query(http, prometheus, 'mutu_queue_messages{service="rewards", kind="dead_letter"}')

    assert await infra.eventually(gauges, timeout=60)
    assert await query(http, prometheus, 'mutu_outbox_backlog{service="training"}')
