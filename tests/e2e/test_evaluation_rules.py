"""Every evaluation rule on the real broker and store, through the services' public interfaces."""

import datetime as dt
from typing import Any

import httpx
import pytest

from services.evaluation import ikm
from shared.contract import events
from shared.contract.calendar import Calendar
from tests import infra
from tests.builders import a_survey_submitted, a_training_completed, random_id, random_nip, structured

pytestmark = pytest.mark.e2e
JAKARTA = dt.timezone(dt.timedelta(hours=7))


def a_unit() -> str:
    return infra.fresh_unit()


async def post(
    http: httpx.AsyncClient,
    stack: infra.Stack,
    keys: infra.Keys,
    service: str,
    data: events.Event,
    event_id: str | None = None,
) -> str:
    event_id = event_id or random_id()
    answer = await infra.post_cloudevent(
        http, stack.urls[service], keys.integrator, structured(data, event_id=event_id)
    )
    assert answer.status_code == 202, answer.text
    return event_id


async def profile(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, nip: str) -> dict[str, Any]:
    answer = await http.get(
        f"{stack.urls['evaluation']}/asn/{nip}/profile", headers={"Authorization": f"Bearer {keys.reader}"}
    )
    assert answer.status_code == 200
    return answer.json()


def triggered(bus: infra.BusRecorder, nip: str, rule_id: str) -> list[dict[str, Any]]:
    return [
        e
        for e in infra.events_on(bus, "evaluation.reward_triggered")
        if e["data"]["nip"] == nip and e["data"]["rule_id"] == rule_id
    ]


def recommended(bus: infra.BusRecorder, rule_id: str, **target: str) -> list[dict[str, Any]]:
    return [
        e
        for e in infra.events_on(bus, "evaluation.retraining_recommended")
        if e["data"]["rule_id"] == rule_id and all(e["data"].get(k) == v for k, v in target.items())
    ]


async def test_ikm_is_exact_with_redelivered_responses(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    unit = a_unit()
    sent = []
    for value in (4, 3, 3, 2):
        response = a_survey_submitted(unit_id=unit, answers=dict.fromkeys(ikm.ELEMENTS, value))
        event_id = await post(http, stack, keys, "survey", response)
        await post(http, stack, keys, "survey", response, event_id)  # the same event again
        sent.append(response)

    async def counted() -> dict[str, Any] | None:
        body = (
            await http.get(f"{stack.urls['evaluation']}/units/{unit}/ikm", params={"period": "2026-Q4"})
        ).json()
        return body if body["respondents"] == 4 else None

    body = await infra.eventually(counted)
    assert body["converted"] == 75.0  # NRR 3.0 on every element
    assert body["grade"] == "C"
    assert body["by_channel"]["online"]["respondents"] == 4
    ranked = (await http.get(f"{stack.urls['evaluation']}/ikm", params={"period": "2026"})).json()
    assert any(row["unit_id"] == unit and row["respondents"] == 4 for row in ranked["units"])


async def test_appraisals_reward_and_recommend(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    good, weak = random_nip(), random_nip()
    await post(
        http,
        stack,
        keys,
        "evaluation",
        events.PerformanceAppraised(nip=good, unit_id="kel-candi", period="2026", rating="SANGAT_BAIK"),
    )
    await post(
        http,
        stack,
        keys,
        "evaluation",
        events.PerformanceAppraised(nip=weak, unit_id="kel-candi", period="2026", rating="BUTUH_PERBAIKAN"),
    )
    await infra.eventually(lambda: _async(triggered(bus, good, "appraisal_reward")))
    assert triggered(bus, good, "appraisal_reward")[0]["data"]["points"] == 30
    await infra.eventually(lambda: _async(recommended(bus, "appraisal_retraining", nip=weak)))
    assert any(e["data"]["nip"] == good for e in infra.events_on(bus, "performance.appraised"))


async def test_twenty_jp_rewards_once_a_year(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    for _ in range(4):  # 4 x 8 JP, middling scores: only the JP rule fires
        await post(http, stack, keys, "training", a_training_completed(nip=nip, jp=8, score=75, passed=True))

    async def jp_total() -> int | None:
        return (await profile(http, stack, keys, nip))["jp"].get("2026", {}).get("jp") == 32 or None

    await infra.eventually(jp_total)
    await infra.eventually(lambda: _async(triggered(bus, nip, "jp_duty_reached")))
    assert len(triggered(bus, nip, "jp_duty_reached")) == 1
    assert triggered(bus, nip, "jp_duty_reached")[0]["data"]["points"] == 20


async def test_low_score_recommends_and_a_later_pass_closes_it(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    await post(
        http,
        stack,
        keys,
        "training",
        a_training_completed(nip=nip, score=55, passed=False, competency="service_ethics"),
    )
    await infra.eventually(lambda: _async(recommended(bus, "training_low_score", nip=nip)))
    assert recommended(bus, "training_low_score", nip=nip)[0]["data"]["competency"] == "service_ethics"
    later = dt.datetime(2026, 11, 20, 9, tzinfo=JAKARTA)  # completed after the failure opened it
    await post(
        http,
        stack,
        keys,
        "training",
        a_training_completed(nip=nip, score=80, passed=True, competency="service_ethics", completed_at=later),
    )

    async def closed() -> bool:
        recs = (await profile(http, stack, keys, nip))["recommendations"]
        return bool(recs) and recs[0]["status"] == "done"

    await infra.eventually(closed)


async def test_adaptation_on_the_closed_quarter_after_a_pass(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    for period, value in (("2026-Q1", 3), ("2026-Q3", 4)):  # both closed (Q3 closed on 8 October)
        for _ in range(10):
            answers = dict.fromkeys(ikm.ELEMENTS, value)
            await post(
                http,
                stack,
                keys,
                "survey",
                a_survey_submitted(served_by_nip=nip, period=period, answers=answers),
            )
    passed_in_q2 = dt.datetime(2026, 5, 5, 9, tzinfo=JAKARTA)
    await post(
        http, stack, keys, "training", a_training_completed(nip=nip, score=75, completed_at=passed_in_q2)
    )
    await infra.eventually(lambda: _async(triggered(bus, nip, "adaptation")))
    assert triggered(bus, nip, "adaptation")[0]["data"]["points"] == 25


async def test_online_difficulty_recommends_online_service_guidance(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    unit = a_unit()
    answers = dict.fromkeys(ikm.ELEMENTS, 4) | {"u2": 1}
    for _ in range(30):  # late answers for the closed 2026-Q3: judged as they arrive
        await post(
            http,
            stack,
            keys,
            "survey",
            a_survey_submitted(unit_id=unit, channel="online", period="2026-Q3", answers=answers),
        )
    found = await infra.eventually(
        lambda: _async(recommended(bus, "unit_element_low", unit_id=unit)), timeout=30
    )
    assert [e["data"]["competency"] for e in found] == ["online_service_guidance"]
    assert found[0]["data"]["evidence"] | {"respondents": 0} == {
        "element": "u2",
        "channel": "online",
        "nrr": 1.0,
        "respondents": 0,
    }
    assert found[0]["data"]["evidence"]["respondents"] >= 30
    assert found[0]["data"]["caused_by"]
    reader = {"Authorization": f"Bearer {keys.reader}"}
    listed = await http.get(
        f"{stack.urls['evaluation']}/recommendations",
        params={"status": "open", "unit_id": unit},
        headers=reader,
    )
    [row] = listed.json()["recommendations"]
    assert row["recommendation_id"] == found[0]["data"]["recommendation_id"]
    one = await http.get(
        f"{stack.urls['evaluation']}/recommendations/{row['recommendation_id']}", headers=reader
    )
    assert (one.json()["status"], [h["status"] for h in one.json()["history"]]) == ("open", ["open"])
    unknown = await http.get(f"{stack.urls['evaluation']}/recommendations/{random_id()}", headers=reader)
    assert unknown.status_code == 404


async def test_quarter_end_run_flags_people_below_the_duty(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    await post(http, stack, keys, "training", a_training_completed(nip=nip, jp=8, score=75))
    await infra.eventually(lambda: _has_profile(http, stack, keys, nip))
    admin = {"Authorization": f"Bearer {keys.admin}"}
    run = f"{stack.urls['evaluation']}/evaluations/run"
    for _ in range(2):  # idempotent
        answer = await http.post(run, params={"period": "2026-Q3"}, headers=admin)
        assert answer.status_code == 200
    await infra.eventually(lambda: _async(recommended(bus, "jp_below_duty", nip=nip)))
    [short] = {e["id"]: e for e in recommended(bus, "jp_below_duty", nip=nip)}.values()
    assert short["data"]["evidence"] == {"jp": 0, "expected": 15, "gap": 15, "duty": 20}  # trained in Q4
    current = Calendar().quarter_of(dt.datetime.now(dt.UTC))
    under_way = await http.post(run, params={"period": current}, headers=admin)
    assert under_way.status_code == 409
    assert "has not ended" in under_way.json()["detail"]
    later = f"{int(current[:4]) + 1}-Q{current[-1]}"
    assert (await http.post(run, params={"period": later}, headers=admin)).status_code == 422


async def test_an_appraisal_correction_reverses_its_reward_in_the_ledger(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    reader = {"Authorization": f"Bearer {keys.reader}"}
    first = await post(
        http,
        stack,
        keys,
        "evaluation",
        events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating="BAIK"),
    )
    await post(  # an overlapping quarterly rating is recorded and pays nothing
        http,
        stack,
        keys,
        "evaluation",
        events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026-Q1", rating="SANGAT_BAIK"),
    )

    async def ledger(count: int) -> list[dict[str, Any]] | None:
        answer = await http.get(f"{stack.urls['rewards']}/asn/{nip}/points", headers=reader)
        entries = answer.json().get("ledger", []) if answer.status_code == 200 else []
        return sorted(entries, key=lambda e: e["seq"]) if len(entries) >= count else None

    await infra.eventually(lambda: ledger(1))
    second = await post(
        http,
        stack,
        keys,
        "evaluation",
        events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating="KURANG"),
    )
    entries = await infra.eventually(lambda: ledger(2))
    assert [(e["kind"], e["points"], e["balance_after"]) for e in entries] == [
        ("grant", 10, 10),
        ("correction", -10, 0),
    ]
    assert (entries[1]["corrects"], entries[1]["caused_by"]) == (first, [second])
    await infra.eventually(lambda: _async(recommended(bus, "appraisal_retraining", nip=nip)))
    body = await profile(http, stack, keys, nip)
    assert [(a["period"], a["rating"], a["paid"]) for a in body["appraisals"]] == [
        ("2026", "KURANG", 0),
        ("2026-Q1", "SANGAT_BAIK", 0),
    ]
    assert "annual" in body["appraisals"][1]["note"]
    future = f"{Calendar().year_of(dt.datetime.now(dt.UTC)) + 1}"
    answer = await infra.post_cloudevent(
        http,
        stack.urls["evaluation"],
        keys.integrator,
        structured(events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period=future, rating="BAIK")),
    )
    assert answer.status_code == 422
    (reason,) = answer.json()["detail"]
    assert reason["loc"] == ["body", "data", "period"]
    assert "has not started" in reason["msg"]


async def test_the_profile_of_someone_never_seen_shows_the_current_year(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    year = str(Calendar().year_of(dt.datetime.now(dt.UTC)))
    body = await profile(http, stack, keys, random_nip())
    assert body["jp"] == {year: {"jp": 0, "duty": 20, "met": False}}


async def test_rules_are_shown(stack: infra.Stack, http: httpx.AsyncClient) -> None:
    body = (await http.get(f"{stack.urls['evaluation']}/rules")).json()
    assert body["training"]["reward_points"] == 10
    assert body["unit"]["online_competency"]["u2"] == "online_service_guidance"


async def test_profile_shows_jp_trainings_ratings_answers_and_what_fired(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    nip = random_nip()
    training = await post(
        http,
        stack,
        keys,
        "training",
        a_training_completed(nip=nip, jp=8, score=90, competency="digital_service"),
    )
    rating = events.PerformanceAppraised(nip=nip, unit_id="kel-candi", period="2026", rating="BAIK")
    appraisal = await post(http, stack, keys, "evaluation", rating)
    await infra.eventually(lambda: _has_profile(http, stack, keys, nip))
    answers = [
        await post(
            http,
            stack,
            keys,
            "survey",
            a_survey_submitted(served_by_nip=nip, answers=dict.fromkeys(ikm.ELEMENTS, 4)),
        )
        for _ in range(5)
    ]

    async def complete() -> dict[str, Any] | None:
        body = await profile(http, stack, keys, nip)
        done = len(body["rewards"]) == 2 and body["survey_answers"].get("2026-Q4", {}).get("responses") == 5
        return body if done else None

    body = await infra.eventually(complete)
    assert body["jp"] == {"2026": {"jp": 8, "duty": 20, "met": False}}
    assert [(t["program_id"], t["score"]) for t in body["trainings"]] == [
        (body["trainings"][0]["program_id"], 90)
    ]
    assert [(a["period"], a["rating"]) for a in body["appraisals"]] == [("2026", "BAIK")]
    assert body["survey_answers"]["2026-Q4"]["responses"] == 5
    assert body["survey_answers"]["2026-Q4"]["average"] == 4.0
    causes = {r["rule_id"]: (r["points"], r["caused_by"]) for r in body["rewards"]}
    assert causes == {  # no adaptation while 2026-Q4 is under way
        "training_high_score": (10, [training]),
        "appraisal_reward": (10, [appraisal]),
    }
    assert body["survey_answers"]["2026-Q4"]["caused_by"] == answers
    assert body["recommendations"] == []
    unauthenticated = await http.get(f"{stack.urls['evaluation']}/asn/{nip}/profile")
    assert unauthenticated.status_code == 401


async def _has_profile(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, nip: str) -> bool:
    return bool((await profile(http, stack, keys, nip))["trainings"])


async def _async[T](value: T) -> T:
    return value
