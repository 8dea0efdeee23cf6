"""Key checks (401/403) and 4xx answers that never echo input or a NIP."""

import logging
import secrets
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict, ValidationError

from shared import errors, web
from shared.contract import envelope, events, units
from shared.contract.fields import Nip
from shared.observability import logs
from shared.web import apikeys, redact

NIP = "199001012015011001"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nip: Nip


@pytest.fixture
def key_file(tmp_path: Path) -> apikeys.KeyFile:
    return apikeys.KeyFile(tmp_path / "keys.json")


@pytest.fixture
def client(key_file: apikeys.KeyFile) -> httpx.AsyncClient:
    auth = web.Auth(key_file)
    app = FastAPI()
    web.install(app, max_body_bytes=1024)

    @app.get("/asn/{nip}/thing")
    async def read(nip: Nip, _: Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]) -> dict[str, str]:
        return {"ok": nip[:4]}

    @app.post("/things")
    async def write(
        body: Body, _: Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "xapi"))]
    ) -> dict[str, str]:
        try:
            Body.model_validate({"nip": body.nip + "9"})
        except ValidationError as error:  # a route that hands pydantic's errors, ctx and all, to a client
            raise HTTPException(422, error.errors(include_input=False)) from None
        return {}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_no_key_is_401_and_a_wrong_role_or_scope_is_403(
    client: httpx.AsyncClient, key_file: apikeys.KeyFile
) -> None:
    assert (await client.get(f"/asn/{NIP}/thing")).status_code == 401
    assert (await client.get(f"/asn/{NIP}/thing", headers=bearer("mutu_x_y"))).status_code == 401
    answer = await client.get(f"/asn/{NIP}/thing", headers=bearer(key_file.create("integrator")))
    assert answer.status_code == 403
    assert (
        await client.get(f"/asn/{NIP}/thing", headers=bearer(key_file.create("reader")))
    ).status_code == 200
    wrong_scope = key_file.create("integrator", ("TrainingCompleted",))
    assert (await client.post("/things", json={"nip": NIP}, headers=bearer(wrong_scope))).status_code == 403
    revoked = key_file.create("reader")
    key_file.revoke(revoked.split("_")[1])
    assert (await client.get(f"/asn/{NIP}/thing", headers=bearer(revoked))).status_code == 401


async def test_4xx_bodies_never_contain_the_submitted_nip(
    client: httpx.AsyncClient, key_file: apikeys.KeyFile
) -> None:
    reader = bearer(key_file.create("reader"))
    integrator = bearer(key_file.create("integrator", ("xapi",)))
    bad = "199001012099011001"  # appointed in the future
    answers = [
        await client.get(f"/asn/{bad}/thing", headers=reader),
        await client.get(f"/asn/{NIP}0/thing", headers=reader),
        await client.post("/things", json={"nip": bad}, headers=integrator),
        await client.post("/things", json={"nip": NIP, NIP: 1}, headers=integrator),
        await client.post("/things", json={"nip": NIP}, headers=integrator),  # route-made 422 with ctx
    ]
    assert [a.status_code for a in answers] == [422] * 5
    for answer in answers:
        assert NIP not in answer.text
        assert bad not in answer.text
        assert "input" not in answer.json()["detail"][0]


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient, key_file: apikeys.KeyFile) -> None:
    headers = bearer(key_file.create("integrator"))
    answer = await client.post("/things", content=b"x" * 2000, headers=headers)
    assert answer.status_code == 413


def test_redaction_masks_nip_like_digit_runs_everywhere() -> None:
    assert redact.text(f"person {NIP} failed") == "person [redacted] failed"
    assert redact.text("12345 and 2026-11-28") == "12345 and 2026-11-28"
    assert redact.scrub({NIP: [NIP, 5, 10**17, None]}) == {
        "[redacted]": ["[redacted]", 5, "[redacted]", None]
    }
    assert redact.scrub(ValueError(NIP)) == '"[redacted]"'
    cleaned = redact.validation_errors(
        [{"loc": ("body", NIP), "msg": "m", "type": "union_tag_invalid", "input": NIP, "ctx": {"e": 1}}]
    )
    assert cleaned == [
        {
            "loc": ["body", "[redacted]"],
            "msg": "Input tag does not match any of the expected tags",
            "type": "union_tag_invalid",
        }
    ]


async def test_the_intake_hands_each_event_type_to_its_own_typed_handler() -> None:
    seen: list[str] = []

    async def completed(event: envelope.CloudEvent[events.TrainingCompleted]) -> bool:
        seen.append(f"completed {event.data.nip}")
        return True

    async def appraised(event: envelope.CloudEvent[events.PerformanceAppraised]) -> bool:
        seen.append(f"appraised {event.data.rating}")
        return False

    intake = (
        web.Intake(units.load())
        .on(events.TrainingCompleted, completed)
        .on(events.PerformanceAppraised, appraised)
    )
    appraisal = events.PerformanceAppraised(
        nip="198503142010011001", unit_id="kec-candisari", period="2026", rating="BAIK"
    )
    assert intake.accepted == [events.TrainingCompleted, events.PerformanceAppraised]
    assert await intake(envelope.wrap(appraisal, source="urn:test")) is False
    assert seen == ["appraised BAIK"]


async def test_the_intake_refuses_an_unknown_unit_before_any_handler_runs() -> None:
    seen: list[str] = []

    async def appraised(event: envelope.CloudEvent[events.PerformanceAppraised]) -> bool:
        seen.append(event.id)
        return True

    intake = web.Intake(units.load()).on(events.PerformanceAppraised, appraised)
    phantom = events.PerformanceAppraised(
        nip="198503142010011001", unit_id="kel-candisari", period="2026", rating="BAIK"
    )
    with pytest.raises(errors.InvalidError) as refused:
        await intake(envelope.wrap(phantom, source="urn:test"))
    assert refused.value.reasons[0]["loc"] == ["body", "data", "unit_id"]
    assert seen == []


def test_a_ticket_code_in_an_access_log_line_is_masked() -> None:
    """uvicorn logs each request's path; a ticket's code in `/t/{code}` is a secret that redeems it."""
    code = secrets.token_urlsafe(24)
    record = logging.makeLogRecord(
        {
            "name": "uvicorn.access",
            "msg": '%s - "%s %s HTTP/%s" %d',
            "args": ("127.0.0.1:5000", "GET", f"/t/{code}?x=1", "1.1", 200),
        }
    )
    for formatter in (logs.JsonFormatter("survey"), logs.PlainFormatter("%(message)s")):
        line = formatter.format(record)
        assert code not in line
        assert "/t/[redacted]?x=1" in line
    assert redact.text("/s/kel-candi and /tickets/abc") == "/s/kel-candi and /tickets/abc"
