"""Closing the loop: RetrainingRecommended on the bus opens and schedules; RecommendationResolved closes."""

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest

from services.training.handlers import retraining
from shared.contract import envelope, events
from tests import infra
from tests.builders import a_training_completed, random_id, random_nip, structured
from tests.e2e.test_training_catalogue import bearer, create_program, enrol

pytestmark = pytest.mark.e2e
SOON = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)


async def publish(amqp_url: str, data: events.RetrainingRecommended) -> str:
    """Publish as evaluation does: a CloudEvent on mutu.events, message_id = event id, persistent."""
    event = envelope.wrap(data, source="urn:mutu:evaluation", event_id=str(uuid.uuid4()))
    await infra.publish_raw(amqp_url, [(envelope.to_json(event), event.id)], routing_key=data.routing_key)
    return event.id


def a_recommendation(**changes: Any) -> events.RetrainingRecommended:
    fields: dict[str, Any] = {
        "recommendation_id": random_id("rec"),
        "competency": "change_management",
        "rule_id": "training_failed",
        "reason": "failed or scored below 70",
        "evidence": {"score": 55},
        "caused_by": (random_id(),),
    }
    return events.RetrainingRecommended(**(fields | changes))


async def recommendations(
    http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, nip: str
) -> list[dict[str, Any]]:
    answer = await http.get(
        f"{stack.urls['training']}/asn/{nip}/recommendations", headers=bearer(keys.reader)
    )
    assert answer.status_code == 200
    return answer.json()["recommendations"]  # type: ignore[no-any-return]


async def test_a_person_is_scheduled_once_and_evaluations_resolution_marks_it_done(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder, amqp_url: str
) -> None:
    program = await create_program(
        http,
        stack,
        keys,
        competency="change_management",
        starts_at=SOON.isoformat(),
        ends_at=(SOON + dt.timedelta(days=1)).isoformat(),
    )
    nip = random_nip()
    rec = a_recommendation(nip=nip)
    for _ in range(2):  # a redelivery, or evaluation publishing it again
        await publish(amqp_url, rec)

    scheduled_id = retraining.scheduled_id(rec.recommendation_id, nip)
    await infra.eventually(lambda: _published(bus, scheduled_id))
    await infra.drained(stack, bus)  # nothing left to publish: a second copy would be recorded by now
    assert bus.routing_keys(scheduled_id) == ["training.retraining_scheduled"]
    scheduled = next(
        e for e in infra.events_on(bus, "training.retraining_scheduled") if e["id"] == scheduled_id
    )
    assert scheduled["data"] == {
        "recommendation_id": rec.recommendation_id,
        "nip": nip,
        "program_id": program["program_id"],
    }

    [found] = await recommendations(http, stack, keys, nip)
    assert (found["status"], found["program_id"], found["competency"]) == (
        "scheduled",
        program["program_id"],
        "change_management",
    )
    trainings = (
        await http.get(f"{stack.urls['training']}/asn/{nip}/trainings", headers=bearer(keys.reader))
    ).json()
    assert [e["program_id"] for e in trainings["enrolled"]] == [program["program_id"]]
    holders = (
        await http.get(
            f"{stack.urls['training']}/programs/{program['program_id']}/enrolments",
            headers=bearer(keys.reader),
        )
    ).json()["enrolled"]
    assert holders.count(nip) == 1  # one seat; other open recommendations of the competency may fill more

    passed = a_training_completed(
        nip=nip,
        competency="change_management",
        program_id=program["program_id"],
        completed_at=dt.datetime.now(dt.UTC),
    )
    answer = await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, structured(passed))
    assert answer.status_code == 202
    [kept] = await recommendations(http, stack, keys, nip)
    assert kept["status"] == "scheduled"  # evaluation decides, not training's own rule
    resolution = envelope.wrap(
        events.RecommendationResolved(
            recommendation_id=rec.recommendation_id,
            status="done",
            evidence={"program_id": program["program_id"]},
            resolved_at=dt.datetime.now(dt.UTC),
        ),
        source="urn:mutu:evaluation",
        event_id=str(uuid.uuid4()),
    )
    await infra.publish_raw(
        amqp_url, [(envelope.to_json(resolution), resolution.id)], routing_key=resolution.data.routing_key
    )

    async def closed() -> dict[str, Any] | None:
        [found] = await recommendations(http, stack, keys, nip)
        return found if found["status"] == "done" else None

    assert (await infra.eventually(closed))["evidence"] == {"program_id": program["program_id"]}
    done_only = await http.get(
        f"{stack.urls['training']}/asn/{nip}/recommendations",
        params={"status": "open"},
        headers=bearer(keys.reader),
    )
    assert done_only.json()["recommendations"] == []


async def test_without_a_free_seat_the_recommendation_stays_open(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, amqp_url: str
) -> None:
    nip = random_nip()
    rec = a_recommendation(nip=nip, competency="public_communication")
    await publish(amqp_url, rec)

    async def opened() -> list[dict[str, Any]]:
        return await recommendations(http, stack, keys, nip)

    [found] = await infra.eventually(opened)
    assert (found["status"], found["recommendation_id"], found["rule_id"]) == (
        "open",
        rec.recommendation_id,
        "training_failed",
    )
    failed = a_training_completed(
        nip=nip,
        competency="public_communication",
        passed=False,
        score=50,
        completed_at=dt.datetime.now(dt.UTC),
    )
    await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, structured(failed))
    # evaluation answers the failure with its own recommendation: the loop, closed for real
    await infra.eventually(lambda: _count(http, stack, keys, nip, 2))
    mine = [
        r
        for r in await recommendations(http, stack, keys, nip)
        if r["recommendation_id"] == rec.recommendation_id
    ]
    assert [r["status"] for r in mine] == ["open"]


async def test_a_unit_recommendation_reaches_every_member_the_service_knows(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder, amqp_url: str
) -> None:
    unit = infra.fresh_unit()
    elsewhere = await create_program(http, stack, keys, competency="digital_service")
    members = [random_nip(), random_nip(), random_nip()]
    for nip in members[:2]:
        answer = await http.post(
            f"{stack.urls['training']}/programs/{elsewhere['program_id']}/enrolments",
            json={"nip": nip, "unit_id": unit},
            headers=bearer(keys.integrator),
        )
        assert answer.status_code == 201
    completed = structured(a_training_completed(nip=members[2], unit_id=unit, competency="service_ethics"))
    assert (
        await infra.post_cloudevent(http, stack.urls["training"], keys.integrator, completed)
    ).status_code == 202
    outsider = random_nip()
    assert (await enrol(http, stack, keys, elsewhere["program_id"], outsider)).status_code == 201

    program = await create_program(
        http,
        stack,
        keys,
        competency="data_management",
        capacity=2,
        starts_at=SOON.isoformat(),
        ends_at=(SOON + dt.timedelta(days=1)).isoformat(),
    )
    rec = a_recommendation(
        unit_id=unit, competency="data_management", rule_id="unit_low_nrr", reason="u5 below 2.6"
    )
    await publish(amqp_url, rec)

    async def everyone_has_it() -> list[dict[str, Any]] | None:
        found = [await recommendations(http, stack, keys, nip) for nip in members]
        return [r[0] for r in found] if all(found) else None

    found = await infra.eventually(everyone_has_it)
    assert {(r["recommendation_id"], r["target"], r["unit_id"]) for r in found} == {
        (rec.recommendation_id, "unit", unit)
    }
    holders = (
        await http.get(
            f"{stack.urls['training']}/programs/{program['program_id']}/enrolments",
            headers=bearer(keys.reader),
        )
    ).json()
    assert len(holders["enrolled"]) == 2
    assert set(holders["enrolled"]) <= set(members)
    for nip in holders["enrolled"]:
        await infra.eventually(
            lambda nip=nip: _published(bus, retraining.scheduled_id(rec.recommendation_id, nip))
        )
    left = next(r for nip, r in zip(members, found, strict=True) if nip not in holders["enrolled"])
    assert left["status"] == "open" or left["program_id"] != program["program_id"]
    assert await recommendations(http, stack, keys, outsider) == []


async def _count(http: httpx.AsyncClient, stack: infra.Stack, keys: infra.Keys, nip: str, count: int) -> bool:
    return len(await recommendations(http, stack, keys, nip)) >= count


async def _published(bus: infra.BusRecorder, event_id: str) -> bool:
    return bool(bus.routing_keys(event_id))
