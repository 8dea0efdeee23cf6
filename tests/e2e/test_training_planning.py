"""Unmet demand on the real broker and store: GET /planning and the mutu_training_unmet_demand gauge.

The training service runs alone in a vhost and store of its own, so every competency's figures
are this module's (the session stack's other tests open recommendations of their own).
"""

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from mutu import report
from tests import infra
from tests.builders import random_nip
from tests.e2e.test_training_catalogue import bearer, create_program
from tests.e2e.test_training_retraining import a_recommendation, publish, recommendations

pytestmark = pytest.mark.e2e
SOON = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[infra.Site]:
    var_dir = tmp_path_factory.mktemp("planning")
    with infra.vhost() as amqp_url, infra.embedded_stores(var_dir, ["training"]) as stores:
        yield infra.Site(amqp_url, stores, var_dir, infra.Keys.create(var_dir / "api-keys.json"))


@pytest.fixture(scope="module")
async def own_stack(own_site: infra.Site) -> AsyncIterator[infra.Stack]:
    async with infra.running_stack(own_site, ["training"], PLANNING_REFRESH_SECONDS="0.5") as running:
        yield running


async def planned(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, **params: str) -> Any:
    answer = await http.get(f"{stack.urls['training']}/planning", params=params, headers=bearer(keys.reader))
    assert answer.status_code == 200, answer.text
    return answer.json()


def gauge(text: str, competency: str) -> float | None:
    prefix = f'mutu_training_unmet_demand{{competency="{competency}"}} '
    return next(
        (float(line.removeprefix(prefix)) for line in text.splitlines() if line.startswith(prefix)), None
    )


async def test_planning_lists_a_competency_with_demand_and_no_programme_first(
    own_stack: infra.Stack, own_site: infra.Site, http: httpx.AsyncClient
) -> None:
    stack, keys, training = own_stack, own_site.keys, own_stack.urls["training"]
    # digital_service: a programme of four seats; the four people first sent to it give their seats
    # up (it is not offered to them again, so they wait), then three more take three of the seats
    program = await create_program(
        http,
        stack,
        keys,
        competency="digital_service",
        capacity=4,
        starts_at=SOON.isoformat(),
        ends_at=(SOON + dt.timedelta(days=1)).isoformat(),
    )
    withdrew = sorted(random_nip() for _ in range(4))
    await recommend_and_seat(http, own_site, stack, withdrew)
    for nip in withdrew:
        answer = await http.delete(
            f"{training}/programs/{program['program_id']}/enrolments/{nip}", headers=bearer(keys.integrator)
        )
        assert answer.status_code == 200, answer.text
    await recommend_and_seat(http, own_site, stack, [random_nip() for _ in range(3)])

    # service_ethics: no programme; one person's recommendation and one for a unit of one member
    member, alone = random_nip(), random_nip()
    answer = await http.put(
        f"{training}/asn/{member}",
        json={"unit_id": "kel-candi", "employee_type": "PNS", "active": True},
        headers=bearer(keys.admin),
    )
    assert answer.status_code == 200, answer.text
    await publish(own_site.amqp_url, a_recommendation(nip=alone, competency="service_ethics"))
    await publish(
        own_site.amqp_url, a_recommendation(nip=None, unit_id="kel-candi", competency="service_ethics")
    )

    async def settled() -> Any:
        found = await planned(http, stack, keys)
        rows = {row["competency"]: row for row in found["competencies"]}
        waiting = rows.get("service_ethics", {}).get("people_waiting")
        return found if waiting == 2 and rows["digital_service"]["people_waiting"] == 4 else None

    found = await infra.eventually(settled)
    assert found["period"] == quarter_of(dt.datetime.now(dt.UTC))
    first, second = found["competencies"]
    # listed first although its gap is the smaller: nothing is planned for it at all
    assert first == {
        "competency": "service_ethics",
        "people_waiting": 2,
        "units_waiting": ["kel-candi"],
        "no_programme": True,
        "programmes": [],
        "free_seats": 0,
        "gap": 2,
    }
    assert (second["competency"], second["no_programme"], second["people_waiting"]) == (
        "digital_service",
        False,
        4,
    )
    [seats] = second["programmes"]
    assert (seats["program_id"], seats["capacity"], seats["enrolled"], seats["free_seats"]) == (
        program["program_id"],
        4,
        3,
        1,
    )
    assert (second["free_seats"], second["gap"]) == (1, 3)  # the free seat reduces the gap

    section = report.render_unmet_demand(report.unmet_demand(found))  # `mutu report` shows it so
    assert [line.split()[0] for line in section[2:]] == ["service_ethics", "digital_service"]

    # a later period counts only the programmes starting in it or after: none yet
    later = await planned(http, stack, keys, period=f"{SOON.year + 1}")
    assert [(r["competency"], r["gap"], r["no_programme"]) for r in later["competencies"]] == [
        ("digital_service", 4, True),
        ("service_ethics", 2, True),
    ]

    async def scraped() -> str | None:
        text = (await http.get(f"{training}/metrics")).text
        # refreshed every half second: once after the last recommendation, both figures are there
        return text if (gauge(text, "digital_service"), gauge(text, "service_ethics")) == (3, 2) else None

    text = await infra.eventually(scraped)
    assert gauge(text, "change_management") == 0  # every configured competency has its series


async def recommend_and_seat(
    http: httpx.AsyncClient, site: infra.Site, stack: infra.Stack, nips: list[str]
) -> None:
    """A digital_service recommendation for each person, and wait until each holds a seat."""
    for nip in nips:
        await publish(site.amqp_url, a_recommendation(nip=nip, competency="digital_service"))

    async def seated() -> bool:
        for nip in nips:
            found = await recommendations(http, stack, site.keys, nip)
            if not found or found[0]["status"] != "scheduled":
                return False
        return True

    await infra.eventually(seated)


def quarter_of(now: dt.datetime) -> str:
    local = now.astimezone(dt.timezone(dt.timedelta(hours=7)))  # Asia/Jakarta has no DST
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


async def test_planning_needs_a_reader_key_and_a_valid_period(
    own_stack: infra.Stack, own_site: infra.Site, http: httpx.AsyncClient
) -> None:
    url = f"{own_stack.urls['training']}/planning"
    assert (await http.get(url)).status_code == 401
    assert (await http.get(url, headers=bearer(own_site.keys.integrator))).status_code == 403
    for period in ("2026-Q5", "26-Q1", "2026-S3", "Q1"):
        answer = await http.get(url, params={"period": period}, headers=bearer(own_site.keys.reader))
        assert answer.status_code == 422, period
    assert (await http.get(url, params={"period": "2026-S2"}, headers=bearer(own_site.keys.admin))).json()[
        "period"
    ] == "2026-S2"
