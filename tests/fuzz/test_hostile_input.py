"""Hostile values on every route that takes a body and on every work queue: never a 5xx or a stall.

Each run prints its case count and the number of 5xx answers (must be 0); every service's
/readyz stays 200 afterwards.
"""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aio_pika
import httpx
import pytest

from mutu import launcher
from shared import messaging
from shared.contract import envelope, events
from tests import access, infra
from tests.builders import (
    a_reward_triggered,
    a_survey_submitted,
    a_training_completed,
    random_id,
    random_nip,
    structured,
)
from tests.e2e.test_survey_kiosk import a_response
from tests.e2e.test_training_catalogue import a_program
from tests.e2e.test_training_xapi import a_statement
from tests.fuzz import hostile

pytestmark = pytest.mark.e2e

PER_ROUTE = 90
PER_QUEUE = 40
NIP = random_nip()
# Values no field of any event accepts, so every case on a queue must end in its .dlq.
NEVER_VALID = ("deep", "huge-int", "1mb-string", "negative-huge-int", "lone-surrogate", "low-surrogate-in-text",
               "nul", "controls", "nan", "infinity", "long-id", "body-")  # fmt: skip


FORM = "application/x-www-form-urlencoded"


def a_form() -> dict[str, str]:
    """The SKM form's fields as a browser posts them."""
    fields = {f"u{i}": "3" for i in range(1, 10)}
    return fields | {"response_id": random_id("form"), "service_type": "KTP-el", "channel": "online"}


def form_cases(valid: dict[str, str]) -> list[tuple[str, bytes]]:
    """Hostile urlencoded bodies: 1 MB values, NUL and controls, bad UTF-8, huge numbers, repeats."""
    plain = urlencode(valid)
    return [
        ("form-valid", plain.encode()),
        ("form-1mb", urlencode(valid | {"service_type": "x" * 1_000_000}).encode()),
        ("form-nul", (plain + "&service_type=KTP%00el").encode()),
        ("form-controls", urlencode(valid | {"response_id": "a\x01\x1fb"}).encode()),
        ("form-bad-utf8", (plain + "&service_type=%ff%fe").encode()),
        ("form-surrogate", (plain + "&service_type=%ed%a0%80").encode()),
        ("form-huge-int", urlencode(valid | {"u1": "9" * 5000}).encode()),
        ("form-repeated", (plain + "&u1=4&u1=1&u1=2").encode()),
        ("form-empty", b""),
        ("form-json", b'{"u1": 3}'),
    ]


def bodies(program_id: str, forum_id: str) -> dict[tuple[str, str, str], tuple[str, str, Any]]:
    """A valid body, its content type and the path to send it to, for every route that takes one."""
    start = dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    json_type, ce_type = "application/json", envelope.CONTENT_TYPE
    appraisal = events.PerformanceAppraised(nip=NIP, unit_id="kel-candi", period="2026-Q4", rating="BAIK")
    return {
        ("training", "POST", "/events"): ("/events", ce_type, structured(a_training_completed(nip=NIP))),
        ("survey", "POST", "/events"): ("/events", ce_type, structured(a_survey_submitted())),
        ("evaluation", "POST", "/events"): ("/events", ce_type, structured(appraisal)),
        ("training", "POST", "/programs"): ("/programs", json_type, a_program()),
        ("training", "PATCH", "/programs/{program_id}"): (
            f"/programs/{program_id}",
            json_type,
            {
                "title": "Ubah",
                "capacity": 30,
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(days=1)).isoformat(),
                "timezone": "Asia/Jakarta",
            },
        ),
        ("training", "POST", "/programs/{program_id}/enrolments"): (
            f"/programs/{program_id}/enrolments",
            json_type,
            {"nip": NIP, "unit_id": "kel-candi"},
        ),
        ("training", "POST", "/groups"): (
            "/groups",
            json_type,
            {
                "group_id": random_id("g"),
                "program_id": program_id,
                "unit_id": "kel-candi",
                "brief": "antrian",
                "members": [NIP, {"nip": random_nip(), "unit_id": "kel-candi"}],
            },
        ),
        ("training", "POST", "/groups/{group_id}/assessment"): (
            "/groups/g-none/assessment",
            json_type,
            {"score": 90, "passed": True, "completed_at": "2026-11-02T09:00:00+07:00"},
        ),
        ("training", "POST", "/xapi/statements"): (
            "/xapi/statements",
            json_type,
            [a_statement(NIP, program_id)],
        ),
        ("survey", "POST", "/responses"): (
            "/responses",
            json_type,
            a_response(unit_id="kel-candi", respondent={"occupation": "pns"}),
        ),
        ("survey", "POST", "/s/{unit_id}"): ("/s/kel-candi", FORM, a_form()),
        ("survey", "POST", "/t/{ticket}"): ("/t/" + "x" * 32, FORM, a_form()),  # an unknown ticket
        ("survey", "POST", "/tickets"): (
            "/tickets",
            json_type,
            {"unit_id": "kel-candi", "served_by_nip": NIP, "service_type": "KK", "channel": "counter"},
        ),
        ("survey", "POST", "/forums"): (
            "/forums",
            json_type,
            {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Antrian", "attendees": 25},
        ),
        ("survey", "POST", "/forums/{forum_id}/items"): (
            f"/forums/{forum_id}/items",
            json_type,
            {"category": "complaint", "topic_code": "antrean", "text": "lama"},
        ),
        ("rewards", "POST", "/redemptions"): (
            "/redemptions",
            json_type,
            {"nip": NIP, "points": 5, "item": "voucher", "idempotency_key": random_id("r")},
        ),
        ("rewards", "POST", "/asn/{nip}/adjustments"): (
            f"/asn/{NIP}/adjustments",
            json_type,
            {"adjustment_id": random_id("a"), "points": 5, "reason": "koreksi"},
        ),
    }


@pytest.fixture(scope="module")
def kiosk(amqp_url: str, store_url: str, var_dir: Path) -> Iterator[str]:
    """A survey process of its own whose rate limit lets the fuzzing through (the stack's is spent)."""
    stack = infra.Stack(infra.service_env(amqp_url, store_url, var_dir, RESPONSES_BURST="100000"))
    stack.start("survey")
    try:
        launcher.wait_healthy([stack.urls["survey"]], timeout=180)
        yield stack.urls["survey"]
    finally:
        stack.stop_all()


def test_hostile_bodies_never_get_a_5xx(stack: infra.Stack, keys: infra.Keys, kiosk: str) -> None:
    admin = {"Authorization": f"Bearer {keys.admin}"}
    with httpx.Client(timeout=60) as client:
        program = client.post(f"{stack.urls['training']}/programs", json=a_program(), headers=admin).json()
        forum = {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Antrian", "attendees": 25}
        forum_id = client.post(f"{stack.urls['survey']}/forums", json=forum, headers=admin).json()["id"]
        routes = bodies(program["program_id"], forum_id)
        takes_a_body = {k for k in access.ROUTES if k[1] in {"POST", "PATCH"} and k[2] != "/evaluations/run"}
        assert set(routes) == takes_a_body
        total, errors = 0, []
        for (service, method, _), (path, content_type, body) in routes.items():
            base = kiosk if path == "/responses" or content_type == FORM else stack.urls[service]
            cases = form_cases(body) if content_type == FORM else hostile.cases(body, limit=PER_ROUTE)
            for label, content in cases:
                answer = client.request(
                    method, f"{base}{path}", content=content, headers=admin | {"Content-Type": content_type}
                )
                total += 1
                if answer.status_code >= 500:
                    errors.append(f"{service} {method} {path} {label}: {answer.status_code}")
        ready = {name: client.get(f"{url}/readyz").status_code for name, url in stack.urls.items()}
    print(f"\nhostile bodies: {total} cases on {len(routes)} routes, {len(errors)} answered 5xx")
    assert errors == []
    assert set(ready.values()) == {200}


WORK_QUEUES: dict[tuple[str, type[events.Event]], events.Event] = {
    ("training", events.RetrainingRecommended): events.RetrainingRecommended(
        recommendation_id=random_id("rec"), nip=NIP, competency="digital_service", rule_id="low_score",
        reason="nilai rendah", evidence={"score": 40}, caused_by=(random_id(),),
    ),
    ("evaluation", events.TrainingCompleted): a_training_completed(nip=NIP),
    ("evaluation", events.SurveySubmitted): a_survey_submitted(),
    ("evaluation", events.RetrainingScheduled): events.RetrainingScheduled(
        recommendation_id=random_id("rec"), nip=NIP, program_id="p-1"
    ),
    ("rewards", events.RewardTriggered): a_reward_triggered(nip=NIP),
}  # fmt: skip


async def depth(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    declared = await channel.declare_queue(queue, passive=True)
    return declared.declaration_result.message_count or 0


async def test_hostile_messages_on_every_work_queue_are_dead_lettered(
    stack: infra.Stack, amqp_url: str
) -> None:
    total = 0
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for (service, event), data in WORK_QUEUES.items():
            queue = messaging.queue_name(service, event)
            before = await depth(channel, f"{queue}.dlq")
            valid = structured(data)
            sent = [body for label, body in hostile.cases(valid, limit=400) if label.startswith(NEVER_VALID)]
            sent = sent[:PER_QUEUE]
            for index, body in enumerate(sent):
                message = aio_pika.Message(
                    body, message_id=f"hostile-{index}", content_type=envelope.CONTENT_TYPE, delivery_mode=2
                )
                await channel.default_exchange.publish(message, routing_key=queue)

            async def settled(queue: str = queue, before: int = before, count: int = len(sent)) -> bool:
                return (
                    await depth(channel, f"{queue}.dlq") >= before + count
                    and await depth(channel, queue) == 0
                )

            await infra.eventually(settled, timeout=60)
            total += len(sent)
    with httpx.Client(timeout=30) as client:
        ready = {name: client.get(f"{url}/readyz").status_code for name, url in stack.urls.items()}
    print(
        f"\nhostile messages: {total} cases on {len(WORK_QUEUES)} work queues, all dead-lettered, 0 stalled"
    )
    assert set(ready.values()) == {200}
    assert json.dumps(sorted(ready)) == json.dumps(sorted(launcher.SERVICES))
