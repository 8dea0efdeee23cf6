"""POST /xapi/statements: an LMS's xAPI statements become TrainingCompleted (completing verbs only)."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
from pydantic import TypeAdapter, ValidationError

from services.training import handlers, model, xapi
from shared import apikeys, envelope, web
from shared.aggregates import Change
from shared.fields import Nip
from shared.storage import Document, field_key

NIP = TypeAdapter(Nip)


def build(*, auth: web.Auth, stores: handlers.Stores) -> APIRouter:  # noqa: C901 - one route and its mapping
    router = APIRouter(tags=["xapi"])
    Lms = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "xapi"))]

    async def completion(statement: dict[str, Any]) -> envelope.CloudEvent[Any] | None:
        """The completion a statement stands for, None for other verbs; raises when unmappable."""
        try:
            nip = NIP.validate_python(xapi.actor_nip(statement))
        except ValidationError:
            raise xapi.UnmappableStatementError("actor.account.name is not a valid NIP") from None
        if xapi.verb_of(statement) not in xapi.COMPLETING:
            return None
        program = await stores.programs.get(xapi.program_of(statement))
        if program is None:
            raise xapi.UnmappableStatementError("the programme is not in the catalogue")
        score, passed = xapi.outcome_of(statement)
        person = await stores.people.get(nip) or {}
        unit_id = person.get("unit_id") or statement.get("context", {}).get("extensions", {}).get(
            "urn:mutu:unit_id"
        )
        if not unit_id:
            raise xapi.UnmappableStatementError(
                "unknown unit: enrol the person first or send context.extensions urn:mutu:unit_id"
            )
        done = model.completion_for(
            program,
            nip,
            unit_id,
            model.Assessment(score=score, passed=passed, completed_at=_timestamp(statement)),
            None,
        )
        return envelope.wrap(done, source=handlers.SOURCE, event_id=xapi.statement_id(statement))

    @router.post("/xapi/statements", responses={422: {"description": "a statement cannot be mapped"}})
    async def statements(body: Annotated[dict[str, Any] | list[dict[str, Any]], Body()], _: Lms) -> list[str]:
        batch = body if isinstance(body, list) else [body]
        if not 1 <= len(batch) <= xapi.MAX_STATEMENTS:
            raise HTTPException(422, f"send 1 to {xapi.MAX_STATEMENTS} statements")
        mapped = []
        for index, statement in enumerate(batch):  # map all first: a refused request changes nothing
            try:
                mapped.append((statement, await completion(statement)))
            except xapi.UnmappableStatementError as error:
                raise HTTPException(
                    422, [{"loc": ["body", index], "msg": str(error), "type": "unmappable"}]
                ) from None
        for statement, event in mapped:
            if event is not None:
                await handlers.record_completion(event, stores=stores)
            else:
                nip, sid = xapi.actor_nip(statement), xapi.statement_id(statement)
                kept = {
                    "id": sid,
                    "verb": xapi.verb_of(statement),
                    "object": (statement.get("object") or {}).get("id"),
                }
                await stores.people.apply(nip, sid, _keep(sid, kept))
        return [xapi.statement_id(s) for s in batch]

    return router


def _keep(statement_id: str, kept: dict[str, Any]) -> Callable[[Document], Change]:
    """Other verbs are kept on the person's record and publish nothing."""
    return lambda _: Change(set={f"statements.{field_key(statement_id)}": kept})


def _timestamp(statement: dict[str, Any]) -> Any:
    from pydantic import AwareDatetime  # noqa: PLC0415

    raw = statement.get("timestamp")
    if raw is None:
        return None
    try:
        return TypeAdapter(AwareDatetime).validate_python(raw)
    except ValidationError:
        raise xapi.UnmappableStatementError("timestamp must be RFC 3339 with an offset") from None
