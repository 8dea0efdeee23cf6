"""`mutu demo` at small scale against the real services; `mutu report` must show what it sent."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mutu import launcher, report
from mutu import roster as hr
from mutu.demo import command as demo
from mutu.demo import expect, settle, world
from tests import infra

pytestmark = pytest.mark.e2e
SEED = 4711


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[demo.Target]:
    """The four services on their own vhost and store: the session's shared stack gets responses for
    the same units and quarter from other tests, and the report's figures must be exactly the demo's."""
    var_dir = tmp_path_factory.mktemp("demo-var")
    keys = infra.Keys.create(var_dir / "api-keys.json")
    with infra.vhost() as amqp_url, infra.embedded_stores(var_dir) as stores:
        stack = infra.Stack(infra.service_env(amqp_url, stores, var_dir))
        for service in launcher.SERVICES:
            stack.start(service)
        try:
            launcher.wait_healthy(list(stack.urls.values()), timeout=90)
            yield demo.Target(
                dict(stack.urls), {"integrator": keys.integrator, "reader": keys.reader, "admin": keys.admin}
            )
        finally:
            stack.stop_all()


@pytest.fixture(scope="module")
async def sent(target: demo.Target) -> dict[str, Any]:
    summary = await demo.simulate(target, seed=SEED, scale="small", quiet=True)
    assert summary["errors"] == []
    assert summary["warnings"] == []  # every call took the body the contract describes
    assert summary["settled"]
    # the LMS statements, enrolments, project groups and forums went through the services' own APIs
    for kind in ("catalogue", "completion", "group", "feedback"):
        assert f"{kind}:fallback" not in summary["outcomes"]
    return summary


async def test_the_forums_record_who_attended(target: demo.Target, sent: dict[str, Any]) -> None:
    forum = sent_world(sent).forums[0]
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    async with httpx.AsyncClient(timeout=30) as client:

        async def attended() -> set[str] | None:
            url = f"{target.urls['evaluation']}/asn/{forum['attended_by'][0]}/profile"
            found = {f["forum_id"] for f in (await client.get(url, headers=reader)).json()["forums"]}
            return found or None

        assert await infra.eventually(attended, timeout=30) == {forum["forum_id"]}
        listed = await client.get(
            f"{target.urls['survey']}/units/{forum['unit_id']}/feedback", headers=reader
        )
        assert listed.json()["items"] == len(forum["items"])


async def settled_report(target: demo.Target, sent: dict[str, Any]) -> dict[str, Any]:
    people = {p["nip"]: p["unit_id"] for p in sent["roster"]["people"]}

    async def complete() -> dict[str, Any] | None:
        found = await report.gather_report(target, sent["period"], people, sent["roster"]["units"])
        return found if found["points"] == sent["points"] else None

    return await infra.eventually(complete, timeout=60)


async def test_report_shows_the_ikm_the_simulator_sent(target: demo.Target, sent: dict[str, Any]) -> None:
    found = await settled_report(target, sent)
    units = {u["unit_id"]: u for u in found["units"]}
    assert set(units) == set(sent["units"])
    for unit_id, expected in sent["units"].items():
        assert units[unit_id]["respondents"] == expected["respondents"]
        assert units[unit_id]["converted"] == expected["converted"]
        assert units[unit_id]["grade"] == expected["grade"]
        assert units[unit_id]["by_channel"]["online"]["respondents"] == expected["by_channel"]["online"]
    struggling = units[sent["struggling_unit"]]["by_channel"]["online"]
    assert struggling["respondents"] >= 30
    assert struggling["nrr"]["u2"] < 2.6


async def test_report_shows_jp_points_and_recommendations(target: demo.Target, sent: dict[str, Any]) -> None:
    found = await settled_report(target, sent)
    assert found["jp"]["per_person"] == sent["jp"]
    assert found["jp"]["met"] == sum(1 for jp in sent["jp"].values() if jp >= 20)
    assert found["points"] == sent["points"]
    top = max(sent["points"].values())
    assert found["earners"][0]["points"] == top
    recs = {(r["target"], r["rule_id"], r["competency"]) for r in found["recommendations"]["all"]}
    assert recs == {tuple(r) for r in sent["recommendations"]}
    if expect.quarter_over():  # the unit rule judges closed quarters only (the run closes an ended one)
        assert (sent["struggling_unit"], "unit_element_low", "online_service_guidance") in recs


async def test_the_roster_lists_every_active_member_and_tickets_named_the_officers(
    target: demo.Target, sent: dict[str, Any]
) -> None:
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    wanted = sent["unit_recommendation"]
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.get(
            f"{target.urls['training']}/units/{wanted['unit_id']}/members", headers=reader
        )
        assert answer.status_code == 200
        listed = {m["nip"]: m for m in answer.json()["members"]}
        assert set(listed) == set(wanted["members"])  # the leaver is not listed
        for nip in wanted["never_trained"]:
            assert listed[nip]["jp_this_year"] == 0
            assert listed[nip]["last_training"] is None
        # every counter answer naming an officer used a ticket of its own; none fell back to an event
        assert sent["outcomes"]["ticket:201"] == sent["tickets"]
        assert sent["outcomes"]["ticketed:202"] == sent["tickets"]
        assert "ticket:fallback" not in sent["outcomes"]
        officer = next(r for r in sent_world(sent).responses if r.get("served_by_nip"))
        profile = await client.get(
            f"{target.urls['evaluation']}/asn/{officer['served_by_nip']}/profile", headers=reader
        )
        assert profile.json()["survey_answers"][sent["period"]]["responses"] >= 1


def sent_world(sent: dict[str, Any]) -> world.World:
    return world.build(sent["seed"], sent["scale"])


async def test_the_weak_quarter_recommends_the_unit_and_closes_on_its_outcome(
    target: demo.Target, sent: dict[str, Any]
) -> None:
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    wanted = sent["unit_recommendation"]
    assert wanted["status"] == "done"
    found = sent["unit_recommendation_found"]
    assert found is not None
    async with httpx.AsyncClient(timeout=30) as client:
        url = f"{target.urls['evaluation']}/recommendations/{found['recommendation_id']}"
        rec = (await client.get(url, headers=reader)).json()
        listed = await client.get(
            f"{target.urls['evaluation']}/recommendations",
            params={"status": "done", "unit_id": wanted["unit_id"]},
            headers=reader,
        )
        held = await settle.holders(
            client, target, rec["recommendation_id"], wanted["members"] + wanted["left"]
        )
    assert rec["unit_id"] == wanted["unit_id"]
    assert rec["rule_id"] == "unit_element_low"
    assert rec["competency"] == "service_ethics"
    assert "2026-Q2" in rec["reason"]
    assert rec["status"] == "done"
    assert [step["status"] for step in rec["history"]][-1] == "done"
    recovered = rec["history"][-1]["evidence"]["recovered"]
    assert recovered["period"] == "2026-Q3"
    assert recovered["nrr"] >= 3.0644
    assert recovered["respondents"] >= 30
    assert rec["recommendation_id"] in {r["recommendation_id"] for r in listed.json()["recommendations"]}
    # it reached every active member, the one who never trains included, and not the one who left
    assert held == set(wanted["members"])
    assert set(wanted["never_trained"]) <= held
    assert held.isdisjoint(wanted["left"])


async def test_the_officers_rated_better_after_their_programme_earn_the_adaptation_reward(
    target: demo.Target, sent: dict[str, Any]
) -> None:
    assert sent["adaptation"]
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    paid = {(nip, program_id) for nip, program_id in sent["adaptation"]}

    async def booked() -> set[tuple[str, str]] | None:
        found = set()
        async with httpx.AsyncClient(timeout=30) as client:
            for nip in {nip for nip, _ in paid} | set(sent["effectiveness"]["demo-dig-090"]["people"]):
                account = await client.get(f"{target.urls['rewards']}/asn/{nip}/points", headers=reader)
                for entry in account.json()["ledger"]:
                    if entry.get("rule_id") == "adaptation":
                        found.add((nip, entry["reason"].split()[1].rstrip(":")))
        return found if found == paid else None

    assert await infra.eventually(booked, timeout=60) == paid


def cli(target: demo.Target, var_dir: Path, *args: str) -> str:
    """`python -m mutu ...` against the target: URLs as options, keys from the environment."""
    urls = [f"--base-url-{service}={url}" for service, url in target.urls.items()]
    keys = {f"MUTU_{role.upper()}_KEY": key for role, key in target.keys.items()}
    return subprocess.run(
        [sys.executable, "-m", "mutu", *args, *urls],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env=os.environ | keys | {"VAR_DIR": str(var_dir)},
    ).stdout


async def test_running_the_demo_twice_counts_nothing_twice(
    target: demo.Target, sent: dict[str, Any], tmp_path: Path
) -> None:
    before = await settled_report(target, sent)
    out = await asyncio.to_thread(cli, target, tmp_path, "demo", "--scale", "small", "--seed", str(SEED))
    assert "0 refused request(s)" in out
    assert "next: mutu report" in out
    again = json.loads((tmp_path / "demo-summary.json").read_text())
    assert again["settled"]
    assert again["errors"] == []
    assert json.loads((tmp_path / "demo-roster.json").read_text()) == json.loads(json.dumps(sent["roster"]))
    assert "unit recommendation:" in out
    assert ": done (2026-Q3:" in out
    rows = hr.read_csv(tmp_path / "demo-roster.csv")  # `mutu roster import` takes the demo's roster
    assert [r["nip"] for r in rows] == [r["nip"] for r in sent["roster_rows"]]
    assert {r["active"] for r in rows} == {"true", "false"}
    after = await settled_report(target, sent)
    assert [(u["unit_id"], u["respondents"], u["converted"]) for u in after["units"]] == [
        (u["unit_id"], u["respondents"], u["converted"]) for u in before["units"]
    ]
    assert after["jp"]["per_person"] == before["jp"]["per_person"]
    assert after["points"] == before["points"] == sent["points"]
    assert len(after["recommendations"]["all"]) == len(before["recommendations"]["all"])


async def test_html_report_renders_its_charts_in_chromium(
    target: demo.Target, sent: dict[str, Any], tmp_path: Path
) -> None:
    found = await settled_report(target, sent)
    page, roster_file = tmp_path / "report.html", tmp_path / "roster.json"
    roster_file.write_text(json.dumps(sent["roster"]))
    out = await asyncio.to_thread(
        cli,
        target,
        tmp_path,
        "report",
        "--period",
        "2026-Q4",
        "--html",
        str(page),
        "--roster",
        str(roster_file),
    )
    assert f"{found['jp']['met']} of {found['jp']['people']} reached the 20-JP duty" in out
    assert sent["struggling_unit"] in out
    assert "Unmet retraining demand: " in out  # training's GET /planning
    assert "<script" not in page.read_text()
    assert "http" not in page.read_text().replace('xmlns="http://www.w3.org/2000/svg"', "")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium: apt-get install -y chromium"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for chart in ("chart-ikm-units", "chart-ikm-elements", "chart-ikm-online", "chart-jp"):
        assert f'id="{chart}"' in dom
    assert dom.count('class="bar"') == len(found["units"]) + 9 + 9 + len(found["jp"]["distribution"])
    assert f"Weakest online service: {sent['struggling_unit']}" in dom
    assert 'id="unmet-demand"' in dom
    assert 'id="forum-signals"' in dom


async def test_the_demo_measures_one_programme_and_not_the_other(
    target: demo.Target, sent: dict[str, Any]
) -> None:
    """Issue 19: one programme with a measurable effect, one with not enough data (pooled answers)."""
    the_world = sent_world(sent)
    reader = {"Authorization": f"Bearer {target.keys['reader']}"}
    measured, thin = world.EFFECT_PROGRAMME, world.THIN_PROGRAMME
    rows = [expect.effect(the_world, nip, measured) for nip in the_world.effect]
    both = [r for r in rows if r and r["before"]["answers"] and r["after"]["answers"]]

    def pooled(side: str) -> float:
        answers = sum(r[side]["answers"] for r in both)
        return sum(r[side]["mean"] * r[side]["answers"] for r in both) / answers

    async with httpx.AsyncClient(timeout=30) as client:
        url = target.urls["evaluation"]
        effect = (await client.get(f"{url}/programs/{measured}/effectiveness", headers=reader)).json()
        assert effect["difference"] == pytest.approx(pooled("after") - pooled("before"), abs=1e-3)
        assert effect["difference"] > 0
        assert effect["interval"]["low"] < effect["difference"] < effect["interval"]["high"]
        none = (await client.get(f"{url}/programs/{thin}/effectiveness", headers=reader)).json()
        assert none["difference"] is None
        assert none["reason"].startswith("not enough data")
        ranked = (await client.get(f"{url}/effectiveness", params={"period": "2026"}, headers=reader)).json()
        order = {row["program_id"]: row["rank"] for row in ranked["programs"]}
        assert order[measured] is not None
        assert order[thin] is None
