"""Hostile and careless input against the running services: a clear 4xx, nothing half done."""

import asyncio
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.contract import envelope, events
from shared.web import apikeys
from tests import infra
from tests.builders import a_feedback_received, a_survey_submitted, random_id, random_nip, structured
from tests.e2e.test_survey_kiosk import a_response
from tests.e2e.test_training_catalogue import a_program, bearer, create_program
from tests.e2e.test_training_xapi import a_statement

pytestmark = pytest.mark.e2e
DEEP = b"[" * 5000 + b"]" * 5000  # far past json's recursion limit, within the kiosk's 16 KiB


def scoped(var_dir: Path, *scopes: str) -> str:
    return apikeys.KeyFile(var_dir / "api-keys.json").create("integrator", scopes)


async def test_an_xapi_batch_is_taken_whole_or_refused_whole(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, bus: infra.BusRecorder
) -> None:
    program = await create_program(http, stack, keys)
    nip = random_nip()
    passed = a_statement(nip, program["program_id"])
    bad = a_statement(random_nip(), program["program_id"], "experienced")
    bad["verb"] = {"id": "http://x/\ud800"}
    bad.pop("result")
    body = json.dumps([passed, bad]).encode()  # ensure_ascii: the lone surrogate goes as \ud800
    headers = bearer(keys.integrator) | {"Content-Type": "application/json"}
    answer = await http.post(f"{stack.urls['training']}/xapi/statements", content=body, headers=headers)
    assert answer.status_code in {400, 422}, answer.text
    trainings = await http.get(f"{stack.urls['training']}/asn/{nip}/trainings", headers=bearer(keys.reader))
    assert trainings.json()["years"] == []
    await infra.drained(stack, bus)  # nothing left to publish: a second copy would be recorded by now
    assert bus.routing_keys(passed["id"]) == []


async def test_hostile_json_is_400_on_every_raw_parser(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    huge = b'{"a": ' + b"9" * 5000 + b"}"
    targets = [
        ("training", "/events", envelope.CONTENT_TYPE),
        ("survey", "/events", envelope.CONTENT_TYPE),
        ("evaluation", "/events", envelope.CONTENT_TYPE),
        ("training", "/xapi/statements", "application/json"),
        ("survey", "/responses", "application/json"),
    ]
    for service, path, content_type in targets:
        for body in (DEEP, huge, b'{"a": "\\ud800"}', b'{"a": 1, "a": 2}'):
            headers = bearer(keys.integrator) | {"Content-Type": content_type}
            answer = await http.post(f"{stack.urls[service]}{path}", content=body, headers=headers)
            assert answer.status_code == 400, (service, path, body[:20], answer.text)


async def test_extreme_times_with_offsets_are_422(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        program = a_program(ends_at=moment)
        answer = await http.post(
            f"{stack.urls['training']}/programs", json=program, headers=bearer(keys.admin)
        )
        assert answer.status_code == 422, answer.text
        statement = a_statement(random_nip(), "p-1", "experienced", timestamp=moment)
        answer = await http.post(
            f"{stack.urls['training']}/xapi/statements", json=statement, headers=bearer(keys.integrator)
        )
        assert answer.status_code == 422, answer.text
        event = structured(a_survey_submitted()) | {"time": moment}
        answer = await infra.post_cloudevent(http, stack.urls["survey"], keys.integrator, event)
        assert answer.status_code == 422, answer.text


async def test_an_event_id_names_one_response(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    """Another response under a used event id was counted by survey and dropped by evaluation (a probe)."""
    url, event_id = stack.urls["survey"], random_id("same")
    first, second = (a_survey_submitted(response_id=random_id("resp")) for _ in range(2))
    codes = [
        (
            await infra.post_cloudevent(http, url, keys.integrator, structured(r, event_id=event_id))
        ).status_code
        for r in (first, second, first)
    ]
    assert codes == [202, 409, 202]  # the first again is a duplicate, as before
    assert (await http.get(f"{url}/healthz")).status_code == 200


async def test_a_response_id_holds_one_response(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    url = stack.urls["survey"]
    response = a_survey_submitted(response_id=random_id("resp"))
    first = await infra.post_cloudevent(http, url, keys.integrator, structured(response))
    same_again = await infra.post_cloudevent(http, url, keys.integrator, structured(response))
    other = response.model_copy(update={"answers": events.Answers(**{f"u{i}": 1 for i in range(1, 10)})})
    different = await infra.post_cloudevent(http, url, keys.integrator, structured(other))
    assert [first.status_code, same_again.status_code, different.status_code] == [202, 202, 409]

    kiosk = a_response(response_id=random_id("kiosk"), unit_id="kel-candi")
    answers = [
        (await http.post(f"{url}/responses", json=body)).status_code
        for body in (kiosk, kiosk, kiosk | {"answers": {f"u{i}": 2 for i in range(1, 10)}})
    ]
    assert answers == [202, 202, 409]
    taken = a_response(response_id=response.response_id, unit_id=response.unit_id)
    assert (await http.post(f"{url}/responses", json=taken)).status_code == 409


async def test_a_feedback_id_holds_one_feedback_item(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    """Another item under a used feedback_id got 202 and was dropped, under a new event id or the same (probes)."""
    url, event_id = stack.urls["survey"], random_id("fb-ev")
    item = a_feedback_received(feedback_id=random_id("fb"), unit_id="kel-candi")
    other = item.model_copy(update={"category": "appreciation", "topic": "ramah"})
    posts = [(item, event_id), (item, None), (other, None), (other, event_id)]
    codes = [
        (await infra.post_cloudevent(http, url, keys.integrator, structured(body, event_id=ev))).status_code
        for body, ev in posts
    ]
    assert codes == [202, 202, 409, 409]  # the same item under a new event id stays a duplicate


async def test_the_kiosk_takes_listed_services_and_occupations_and_strict_answers(
    stack: infra.Stack, http: httpx.AsyncClient
) -> None:
    url = f"{stack.urls['survey']}/responses"
    good = a_response(unit_id="kel-candi", respondent={"occupation": "wiraswasta"})
    assert (await http.post(url, json=good)).status_code == 202
    refused = [
        a_response(service_type="Pak Budi 0812 555"),
        a_response(respondent={"occupation": "guru di SD 3"}),
        a_response(comment="antri\x00lama"),
        a_response(service_type="KTP-el\x1b[2J"),
        a_response(answers={f"u{i}": "3" for i in range(1, 10)}),
        a_response(answers={f"u{i}": True for i in range(1, 10)}),
        a_response(answers={f"u{i}": 3.0 for i in range(1, 10)}),
    ]
    for body in refused:
        answer = await http.post(url, json=body)
        assert answer.status_code == 422, (body, answer.text)
    integrator_event = structured(a_survey_submitted(service_type="anything at all"))
    assert integrator_event["data"]["service_type"] == "anything at all"


async def test_survey_events_from_integrators_need_a_listed_service(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    event = structured(a_survey_submitted(service_type="anything at all"))
    answer = await infra.post_cloudevent(http, stack.urls["survey"], keys.integrator, event)
    assert answer.status_code == 422, answer.text
    assert "service_type" in answer.text


async def test_forums_need_the_feedback_scope(
    stack: infra.Stack, var_dir: Path, http: httpx.AsyncClient
) -> None:
    url = stack.urls["survey"]
    forum = {"date": "2026-05-04", "unit_id": "kel-candi", "topic": "Antrian KTP", "attendees": 25}
    training_only = bearer(scoped(var_dir, "TrainingCompleted"))
    feedback = bearer(scoped(var_dir, "FeedbackReceived"))
    denied = await http.post(f"{url}/forums", json=forum, headers=training_only)
    assert (denied.status_code, denied.json()["detail"]) == (403, "this key lacks the scope FeedbackReceived")
    forum_id = (await http.post(f"{url}/forums", json=forum, headers=feedback)).json()["id"]
    item = {"category": "complaint", "topic_code": "antrean", "text": "lama"}
    assert (
        await http.post(f"{url}/forums/{forum_id}/items", json=item, headers=training_only)
    ).status_code == 403
    assert (await http.post(f"{url}/forums/{forum_id}/items", json=item, headers=feedback)).status_code == 202


async def test_a_refused_redemption_shows_the_balance_only_to_a_reader(
    stack: infra.Stack, keys: infra.Keys, var_dir: Path, http: httpx.AsyncClient
) -> None:
    nip, url = random_nip(), stack.urls["rewards"]
    adjustment = {"adjustment_id": random_id("adj"), "points": 37, "reason": "koreksi"}
    booked = await http.post(f"{url}/asn/{nip}/adjustments", json=adjustment, headers=bearer(keys.admin))
    assert booked.status_code == 201, booked.text
    redemption = {"nip": nip, "points": 500, "item": "voucher", "idempotency_key": random_id("r")}
    refused = await http.post(
        f"{url}/redemptions", json=redemption, headers=bearer(scoped(var_dir, "redemptions"))
    )
    assert refused.status_code == 409
    assert "37" not in refused.text
    shown = await http.post(
        f"{url}/redemptions",
        json=redemption | {"idempotency_key": random_id("r")},
        headers=bearer(keys.admin),
    )
    assert (shown.status_code, "37" in shown.text) == (409, True)


def chunks(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * 65536
        sent += 65536


@pytest.mark.parametrize(
    ("service", "path", "role"),
    [("survey", "/forums", "integrator"), ("training", "/programs", "admin"), ("rewards", "/redemptions", "integrator"),
     ("training", "/groups", "integrator")],
)  # fmt: skip
def test_streamed_bodies_over_the_limit_are_413_on_model_routes(
    service: str, path: str, role: str, stack: infra.Stack, keys: infra.Keys
) -> None:
    headers = bearer(getattr(keys, role)) | {"Content-Type": "application/json"}
    answer = httpx.post(
        f"{stack.urls[service]}{path}", content=chunks(1024 * 1024 + 1), headers=headers, timeout=30
    )
    assert answer.status_code == 413, answer.text


async def test_kept_statements_and_dates_stay_bounded(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    long_verb = a_statement(random_nip(), "p-1", "experienced")
    long_verb["verb"] = {"id": "http://x/" + "v" * 2000}
    answer = await http.post(
        f"{stack.urls['training']}/xapi/statements", json=long_verb, headers=bearer(keys.integrator)
    )
    assert answer.status_code == 422, answer.text


async def test_one_bad_statement_fails_only_its_own_request(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    """30 concurrent statements for different people: the bad one used to fail the whole group commit."""
    statements = []
    for index in range(30):
        statement = a_statement(random_nip(), "p-1", "experienced")
        statement.pop("result")
        if index == 17:
            statement["verb"] = {"id": "http://x/\ud800"}
        statements.append(json.dumps(statement).encode())
    headers = bearer(keys.integrator) | {"Content-Type": "application/json"}
    answers = await asyncio.gather(
        *(
            http.post(f"{stack.urls['training']}/xapi/statements", content=body, headers=headers)
            for body in statements
        )
    )
    codes = [a.status_code for a in answers]
    assert codes[:17] + codes[18:] == [200] * 29
    assert codes[17] in {400, 422}


async def exchange(url: str, *requests: bytes, chunk: int = 4096) -> bytes:
    """Send raw bytes in `chunk`-byte writes on one connection; what the service answered until it closed."""
    address = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        for request in requests:
            for start in range(0, len(request), chunk):
                writer.write(request[start : start + chunk])
                await writer.drain()
    except ConnectionError:
        pass  # refused mid-way: the answer is still there to read
    try:
        return await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()


async def test_a_request_head_is_bounded_at_16_kib(stack: infra.Stack) -> None:
    url = stack.urls["survey"]
    padded = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 12_000 + b"\r\n\r\n"
    closing = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert (await exchange(url, padded, closing)).count(b"HTTP/1.1 200 OK") == 2
    # Refused as soon as 16 KiB of an unfinished head arrived, without waiting for its end (just
    # past the bound here: bytes still unread when the service closes would reset the connection).
    endless = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 16_400
    assert (await exchange(url, endless)).startswith(b"HTTP/1.1 431 ")
    long_url = b"GET /healthz?" + b"q" * 16_400
    assert (await exchange(url, long_url)).startswith(b"HTTP/1.1 431 ")


async def test_a_whole_head_over_16_kib_in_one_read_is_refused(stack: infra.Stack) -> None:
    """Not only an unfinished head: one that ends within the read that brought it (a probe found 200)."""
    url = stack.urls["survey"]
    big_header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 17_000 + b"\r\n\r\n"
    many = (
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(3000)) + b"\r\n"
    )
    long_url = b"GET /healthz?" + b"q" * 17_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    for request in (big_header, many, long_url):
        answer = await exchange(url, request, chunk=len(request))
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]


async def test_a_large_body_is_not_taken_for_a_large_head(stack: infra.Stack, keys: infra.Keys) -> None:
    body = b'{"a": "' + b"b" * 200_000  # cut short: not JSON
    post = (
        b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"
        b"Content-Length: %d\r\n\r\n%s"
        % (keys.integrator.encode(), envelope.CONTENT_TYPE.encode(), len(body), body)
    )
    closing = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = await exchange(stack.urls["survey"], post, closing)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert b"HTTP/1.1 200 OK" in answer
