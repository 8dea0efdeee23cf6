"""POST /xapi/statements: an LMS's xAPI statements; completing verbs become TrainingCompleted."""

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from pydantic import ValidationError

from services.training import catalogue, model, xapi
from services.training.handlers import SOURCE, Stores, record_completion
from shared import apikeys, envelope, strictjson, web
from shared.aggregates import Change
from shared.identifiers import field_key
from shared.storage import Document

VERSION = "1.0.3"
MAX_KEPT = 2000  # statements kept per person and month (other verbs); each is under 1.2 kB
Problem = dict[str, Any]


def build(*, auth: web.Auth, stores: Stores) -> APIRouter:
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
        batch = await _batch(request)
        statements, problems = _read_all(batch)
        ids = [s.id for _, s in statements]
        if len(set(ids)) != len(ids):
            raise HTTPException(400, "statement ids must be unique within a batch")
        completions, more = await _completions(statements, stores=stores, now=dt.datetime.now(dt.UTC))
        if problems or more:  # a refused batch changes nothing
            raise HTTPException(422, sorted(problems + more, key=lambda p: p["loc"][1]))
        others = [s for _, s in statements if s.result is None]
        await _room_for(others, stores=stores)  # a batch that cannot be kept whole changes nothing
        await asyncio.gather(
            *(record_completion(event, stores=stores) for event in completions),
            *(_keep(s, stores=stores) for s in others),
        )
        return ids

    return router


class KeptFullError(ValueError):
    """A person-month holds MAX_KEPT statements already."""


async def _batch(request: Request) -> list[Any]:
    try:
        body = strictjson.loads(await request.body())
    except strictjson.NotJsonError as error:
        raise HTTPException(400, f"the body is not JSON we accept: {error}") from None
    batch = body if isinstance(body, list) else [body]
    if not 1 <= len(batch) <= xapi.MAX_STATEMENTS:
        raise HTTPException(422, f"send 1 to {xapi.MAX_STATEMENTS} statements")
    return batch


def _problem(index: int, loc: tuple[Any, ...], reason: str) -> Problem:
    return {"loc": ["body", index, *loc], "msg": reason, "type": "unmappable"}


def _read_all(batch: list[Any]) -> tuple[list[tuple[int, xapi.Statement]], list[Problem]]:
    """Every statement read, with its index, and a reason for each one that cannot be."""
    statements, problems = [], []
    for index, raw in enumerate(batch):
        try:
            statements.append((index, xapi.read(raw)))
        except xapi.UnmappableStatementError as error:
            problems.append(_problem(index, error.loc, str(error)))
    return statements, problems


async def _completions(
    statements: list[tuple[int, xapi.Statement]], *, stores: Stores, now: dt.datetime
) -> tuple[list[envelope.CloudEvent[Any]], list[Problem]]:
    """TrainingCompleted for each completing statement: JP, competency and method from the catalogue."""
    completing = [(i, s) for i, s in statements if s.result is not None]
    wanted = {s.result.program_id for _, s in completing if s.result}
    programs = {p["_id"]: p for p in await catalogue.by_ids(stores.programs, wanted)}
    nips = {s.nip for _, s in completing if s.unit_id is None}
    units = {
        doc["_id"]: doc.get("unit_id")
        async for doc in stores.people.collection.find({"_id": {"$in": sorted(nips)}}, {"unit_id": 1})
    }
    events, problems = [], []
    for index, statement in completing:
        result = statement.result
        assert result is not None  # noqa: S101 - filtered above
        program = programs.get(result.program_id)
        unit_id = statement.unit_id or units.get(statement.nip)
        if program is None:
            problems.append(_problem(index, ("object", "id"), "the programme is not in the catalogue"))
        elif unit_id is None:
            reason = f"unknown unit: enrol the person first or send context.extensions {xapi.UNIT_EXTENSION}"
            problems.append(_problem(index, ("context", "extensions"), reason))
        else:
            outcome = model.Assessment(score=result.score, passed=result.passed)
            try:
                done = model.completion_for(
                    program, statement.nip, unit_id, outcome, completed_at=statement.timestamp or now
                )
            except ValidationError as error:
                problems += [_problem(index, ("timestamp",), e["msg"]) for e in error.errors()]
                continue
            events.append(envelope.wrap(done, source=SOURCE, event_id=statement.id, time=done.completed_at))
    return events, problems


def _kept_key(statement: xapi.Statement) -> str:
    return f"{statement.nip}:{statement.timestamp or dt.datetime.now(dt.UTC):%Y-%m}"


async def _room_for(others: list[xapi.Statement], *, stores: Stores) -> None:
    """409 before any write when a person-month would pass MAX_KEPT statements."""
    wanted: dict[str, int] = {}
    for statement in others:
        wanted[_kept_key(statement)] = wanted.get(_kept_key(statement), 0) + 1
    found = stores.statements.collection.find({"_id": {"$in": sorted(wanted)}}, {"count": 1})
    async for doc in found:
        if doc.get("count", 0) + wanted[doc["_id"]] > MAX_KEPT:
            raise HTTPException(409, f"a person keeps at most {MAX_KEPT} statements a month")


async def _keep(statement: xapi.Statement, *, stores: Stores) -> None:
    """Other verbs are kept, once per statement id, per person and month; they publish nothing."""
    at = statement.timestamp or dt.datetime.now(dt.UTC)
    kept = {"id": statement.id, "verb": statement.verb, "object": statement.object_id, "at": at}

    def decide(doc: Document) -> Change:
        if doc.get("count", 0) >= MAX_KEPT:
            msg = f"a person keeps at most {MAX_KEPT} statements a month"
            raise KeptFullError(msg)
        return Change(set={f"statements.{field_key(statement.id)}": kept}, inc={"count": 1})

    try:
        await stores.statements.apply(_kept_key(statement), statement.id, decide)
    except KeptFullError as error:
        raise HTTPException(409, str(error)) from None
