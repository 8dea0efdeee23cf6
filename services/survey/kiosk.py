"""Public kiosk routes: the questionnaire and plain-JSON responses (no key, size and rate limited)."""

import datetime as dt
import math
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from services.survey import skm
from shared import envelope, events, ratelimit, strictjson
from shared.fields import Comment, Identifier, Nip, Quarter, Text, UnitId
from shared.identifiers import derived_id

Record = Callable[[envelope.CloudEvent[events.SurveySubmitted], str | None], Awaitable[bool]]


class KioskResponse(BaseModel):
    """A kiosk submission: strictly anonymous, unknown fields (name, phone, e-mail...) refused."""

    model_config = ConfigDict(extra="forbid")

    response_id: Identifier
    unit_id: UnitId
    service_type: Text
    channel: events.Channel
    period: Quarter | None = None
    answers: events.Answers
    served_by_nip: Nip | None = None
    respondent: events.Respondent | None = None
    comment: Comment | None = None


def current_quarter(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


async def submit(submitted: KioskResponse, record: Record) -> str:
    """Record one kiosk or form response (event id derived from response_id: a resubmit is a no-op)."""
    fields = submitted.model_dump(exclude={"comment"}, exclude_none=True)
    data = events.SurveySubmitted.model_validate(fields | {"period": submitted.period or current_quarter()})
    event = envelope.wrap(data, source="/survey/kiosk", event_id=derived_id("kiosk", data.response_id))
    await record(event, submitted.comment)
    return data.response_id


def build(record: Record, *, limiter: ratelimit.TokenBuckets, max_body_bytes: int) -> APIRouter:
    router = APIRouter()

    @router.get("/questionnaire")
    async def questionnaire() -> dict[str, object]:
        return skm.questionnaire()

    @router.post("/responses", status_code=202)
    async def post_response(request: Request) -> dict[str, str]:
        client = request.client.host if request.client else "unknown"
        wait = limiter.take(client)
        if wait > 0:
            raise HTTPException(429, "too many responses", headers={"Retry-After": str(math.ceil(wait))})
        body = await request.body()
        if len(body) > max_body_bytes:
            raise HTTPException(413, "body too large")
        try:
            submitted = KioskResponse.model_validate(strictjson.loads(body))
        except strictjson.NotJsonError as error:
            raise HTTPException(400, f"the body is not JSON we accept: {error}") from None
        except ValidationError as error:
            raise HTTPException(422, error.errors(include_url=False, include_input=False)) from None
        return {"id": await submit(submitted, record)}

    return router
