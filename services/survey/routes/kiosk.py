"""Public kiosk routes: the questionnaire and plain-JSON responses (no key, size and rate limited)."""

import math

from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError

from services.survey import handlers, skm
from services.survey.model import KioskResponse
from shared import errors, web
from shared.contract import strictjson
from shared.web import ratelimit


def build(submit: handlers.Submit, *, limiter: ratelimit.TokenBuckets, max_body_bytes: int) -> APIRouter:
    router = APIRouter()

    @router.get("/questionnaire")
    async def questionnaire() -> dict[str, object]:
        return skm.questionnaire()

    @router.post("/responses", status_code=202)
    async def post_response(request: Request) -> web.Accepted:
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
            reasons = error.errors(include_url=False, include_input=False)
            raise errors.InvalidError("the response is invalid", reasons=reasons) from None
        return web.Accepted(id=await submit(submitted))

    return router
