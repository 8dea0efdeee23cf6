"""POST /xapi/statements: an LMS's xAPI statements; completing verbs become TrainingCompleted."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response

from services.training.handlers import xapi
from services.training.model.xapi import MAX_STATEMENTS, read_all
from services.training.repository import Repositories
from shared import web
from shared.contract import strictjson
from shared.web import apikeys

VERSION = "1.0.3"


def build(*, auth: web.Auth, repos: Repositories) -> APIRouter:
    router = APIRouter(tags=["xapi"])
    Lms = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "xapi"))]

    @router.post(
        "/xapi/statements",
        responses={400: {}, 401: {}, 403: {}, 413: {}, 422: {"description": "a statement cannot be taken"}},
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"description": "an xAPI 1.0.3 statement or array"}}
                },
            }
        },
    )
    async def post_statements(
        request: Request,
        response: Response,
        _: Lms,
        version: Annotated[str | None, Header(alias="X-Experience-API-Version")] = None,
    ) -> list[str]:
        """Take statements (all or none); answers their ids, as an LRS does."""
        response.headers["X-Experience-API-Version"] = VERSION
        if version is not None and not version.startswith("1.0"):
            raise HTTPException(400, f"X-Experience-API-Version {VERSION} is spoken here")
        statements, problems = read_all(await _batch(request))
        ids = [s.id for _, s in statements]
        if len(set(ids)) != len(ids):
            raise HTTPException(400, "statement ids must be unique within a batch")
        await xapi.take_statements(statements, problems, repos=repos, now=dt.datetime.now(dt.UTC))
        return ids

    return router


async def _batch(request: Request) -> list[Any]:
    try:
        body = strictjson.loads(await request.body())
    except strictjson.NotJsonError as error:
        raise HTTPException(400, f"the body is not JSON we accept: {error}") from None
    batch = body if isinstance(body, list) else [body]
    if not 1 <= len(batch) <= MAX_STATEMENTS:
        raise HTTPException(422, f"send 1 to {MAX_STATEMENTS} statements")
    return batch
