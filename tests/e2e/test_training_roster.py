"""The roster on the real stack: PUT /asn/{nip}, a unit's members, a unit recommendation reaching every
active member (one who never trained included, one who left excluded), withdrawal, evaluation's
resolution mirrored, and `mutu roster import` against the running training service."""

import asyncio
import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.contract import envelope, events
from tests import infra
from tests.builders import a_training_completed, random_nip, structured
from tests.e2e.test_training_catalogue import bearer, create_program
from tests.e2e.test_training_retraining import a_recommendation, publish, recommendations

pytestmark = pytest.mark.e2e
SOON = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)


async def put(http: httpx.AsyncClient, stack: infra.Stack, key: str, nip: str, **body: Any) -> httpx.Response:
    return await http.put(f"{stack.urls['training']}/asn/{nip}", json=body, headers=bearer(key))


async def members(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, unit: str
) -> list[dict[str, Any]]:
    answer = await http.get(f"{stack.urls['training']}/units/{unit}/members", headers=bearer(keys.reader))
    assert answer.status_code == 200, answer.text
    return answer.json()["members"]  # type: ignore[no-any-return]


async def test_a_unit_recommendation_reaches_every_active_roster_member_and_a_withdrawal_reopens_it(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder, amqp_url: str
) -> None:
    unit, elsewhere = infra.fresh_unit(), infra.fresh_unit()
    never_trained, trained, inactive, moved = (random_nip() for _ in range(4))
    for nip in (never_trained, trained, inactive, moved):
        for _ in range(2):  # the same entry again: one RosterChanged
            answer = await put(http, stack, keys.admin, nip, unit_id=unit, employee_type="PNS", active=True)
            assert answer.status_code == 200, answer.text
    assert (
        await put(
            http, stack, keys.admin, never_trained, unit_id="kel-nowhere", employee_type="PNS", active=True
        )
    ).status_code == 422
    assert (
        await put(http, stack, keys.integrator, never_trained, unit_id=unit, employee_type="PNS", active=True)
    ).status_code == 200  # an integrator key of every scope includes `roster`
    assert (
        await put(
            http, stack, keys.admin, trained, unit_id=unit, employee_type="PPPK", name="Budi", active=True
        )
    ).status_code == 200
    assert (
        await put(http, stack, keys.admin, inactive, unit_id=unit, employee_type="PNS", active=False)
    ).status_code == 200
    assert (
        await put(http, stack, keys.admin, moved, unit_id=elsewhere, employee_type="PNS", active=True)
    ).status_code == 200
    passed = a_training_completed(nip=trained, unit_id=unit, jp=6, completed_at=dt.datetime.now(dt.UTC))
    answer = await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, structured(passed))
    assert answer.status_code == 202

    shown = {m["nip"]: m for m in await members(http, stack, keys, unit)}
    assert set(shown) == {never_trained, trained}
    assert (shown[trained]["name"], shown[trained]["employee_type"], shown[trained]["jp_this_year"]) == (
        "Budi",
        "PPPK",
        6,
    )
    assert shown[trained]["last_training"]["program_id"] == passed.program_id
    assert (shown[never_trained]["jp_this_year"], shown[never_trained]["last_training"]) == (0, None)
    assert [m["nip"] for m in await members(http, stack, keys, elsewhere)] == [moved]

    program = await create_program(
        http,
        stack,
        keys,
        competency="data_management",
        capacity=50,
        starts_at=SOON.isoformat(),
        ends_at=(SOON + dt.timedelta(days=1)).isoformat(),
    )
    rec = a_recommendation(
        unit_id=unit, competency="data_management", rule_id="unit_low_nrr", reason="u5 below B"
    )
    await publish(amqp_url, rec)

    async def both_scheduled() -> list[dict[str, Any]] | None:
        found = [await recommendations(http, stack, keys, nip) for nip in (never_trained, trained)]
        done = all(r and r[0]["status"] == "scheduled" for r in found)
        return [r[0] for r in found] if done else None

    for found in await infra.eventually(both_scheduled):
        assert (found["recommendation_id"], found["program_id"]) == (
            rec.recommendation_id,
            program["program_id"],
        )
    await infra.drained(stack, bus)
    holders = (
        await http.get(
            f"{stack.urls['training']}/programs/{program['program_id']}/enrolments",
            headers=bearer(keys.reader),
        )
    ).json()["enrolled"]
    assert {never_trained, trained} <= set(holders)
    assert not {inactive, moved} & set(holders)
    for nip in (inactive, moved):
        assert await recommendations(http, stack, keys, nip) == []
    late = random_nip()  # joins after the recommendation: gets it too
    assert (
        await put(http, stack, keys.admin, late, unit_id=unit, employee_type="PNS", active=True)
    ).status_code == 200
    [joined] = await recommendations(http, stack, keys, late)
    assert (joined["recommendation_id"], joined["status"]) == (rec.recommendation_id, "scheduled")
    changed = [e for e in infra.events_on(bus, "training.roster_changed") if e["data"]["nip"] == inactive]
    assert [e["data"]["active"] for e in changed] == [True, False]  # the repeated PUT published nothing

    answer = await http.delete(
        f"{stack.urls['training']}/programs/{program['program_id']}/enrolments/{never_trained}",
        headers=bearer(keys.integrator),
    )
    assert answer.status_code == 200
    [reopened] = await recommendations(http, stack, keys, never_trained)
    # Open again; another upcoming programme of the competency (an earlier test's) may take it at once,
    # never the one given up.
    assert reopened["status"] == "open" or (
        reopened["status"] == "scheduled" and reopened["program_id"] != program["program_id"]
    )

    async def withdrawn() -> list[dict[str, Any]] | None:
        found = [
            e
            for e in infra.events_on(bus, "training.retraining_withdrawn")
            if e["data"]["nip"] == never_trained
        ]
        return found or None

    [event] = await infra.eventually(withdrawn)
    assert event["data"] == {
        "recommendation_id": rec.recommendation_id,
        "nip": never_trained,
        "program_id": program["program_id"],
    }

    resolution = envelope.wrap(
        events.RecommendationResolved(
            recommendation_id=rec.recommendation_id,
            status="done",
            evidence={"quarter": "2026-Q4", "nrr": 3.2},
            resolved_at=dt.datetime.now(dt.UTC),
        ),
        source="urn:mutu:evaluation",
        event_id=str(uuid.uuid4()),
    )
    await infra.publish_raw(
        amqp_url, [(envelope.to_json(resolution), resolution.id)], routing_key=resolution.data.routing_key
    )

    async def resolved() -> list[str] | None:
        found = [
            (await recommendations(http, stack, keys, nip))[0]["status"] for nip in (never_trained, trained)
        ]
        return found if found == ["done", "done"] else None

    await infra.eventually(resolved)


def import_cli(url: str, admin: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mutu", "roster", "import", str(path), f"--base-url-training={url}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"MUTU_ADMIN_KEY": admin},
    )


async def test_the_roster_import_puts_each_row_and_reports_the_refused_ones(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    unit = infra.fresh_unit()
    first, second, third = (random_nip() for _ in range(3))
    path = tmp_path / "hr-export.csv"
    path.write_text(
        "nip,unit_id,employee_type,name,active\n"
        f"{first},{unit},PNS,Sri Rahayu,true\n"
        f"{second},{unit},PPPK,,1\n"
        f"{third},kel-nowhere,PNS,Ani,true\n"
        f"{third},{unit},PNS,Ani,perhaps\n"
    )
    result = await asyncio.to_thread(import_cli, stack.urls["training"], keys.admin, path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"line 4 nip {third}: HTTP 422" in result.stdout
    assert "unknown unit" in result.stdout
    assert f"line 5 nip {third}: active must be true or false" in result.stdout
    assert "2 row(s) on the roster, 2 refused" in result.stdout
    shown = {m["nip"]: m["name"] for m in await members(http, stack, keys, unit)}
    assert shown == {first: "Sri Rahayu", second: None}

    again = path.read_text().splitlines()[:3]
    path.write_text("\n".join(again) + "\n")
    result = await asyncio.to_thread(import_cli, stack.urls["training"], keys.admin, path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 row(s) on the roster, 0 refused" in result.stdout
