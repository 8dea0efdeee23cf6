"""xAPI 1.0.3 statements read as completions: actor NIP, programme from the object id, ADL verbs; pure."""

import dataclasses
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, TypeIs

from pydantic import TypeAdapter, ValidationError

from shared import errors
from shared.contract.fields import Nip, UnitId, check_line, check_recent
from shared.contract.identifiers import derived_id

ADL = "http://adlnet.gov/expapi/verbs/"
COMPLETED, PASSED, FAILED = f"{ADL}completed", f"{ADL}passed", f"{ADL}failed"
COMPLETING = frozenset({COMPLETED, PASSED, FAILED})
UNIT_EXTENSION = "urn:mutu:unit_id"
MAX_STATEMENTS = 100
MAX_IRI = 512  # verb.id and object.id are kept: bounded like every string an outsider sends
_PROGRAM = re.compile(r"(?:/programs/|^urn:mutu:program:)([A-Za-z0-9._~-]{1,128})/?$")
_NIP: TypeAdapter[str] = TypeAdapter(Nip)
_UNIT: TypeAdapter[str] = TypeAdapter(UnitId)


class UnmappableStatementError(ValueError):
    """The statement cannot be taken; `loc` names the field and the message says why."""

    def __init__(self, loc: tuple[str, ...], reason: str) -> None:
        super().__init__(reason)
        self.loc = loc


@dataclass(frozen=True)
class Result:
    program_id: str
    score: float
    passed: bool


@dataclass(frozen=True)
class Statement:
    """What Mutu reads from one statement; `result` is set for completing verbs only."""

    id: str
    nip: str
    verb: str
    object_id: str
    timestamp: dt.datetime | None
    unit_id: str | None
    result: Result | None


def read(raw: Any) -> Statement:
    """Read one statement; raises UnmappableStatementError with the field and the reason."""
    if not isinstance(raw, dict):
        raise UnmappableStatementError((), "a statement is a JSON object")
    verb = _text(raw, ("verb", "id"), "verb.id (an IRI) is required")
    object_id = _text(raw, ("object", "id"), "object.id is required")
    statement = Statement(
        id=statement_id(raw),
        nip=actor_nip(raw),
        verb=verb,
        object_id=object_id,
        timestamp=_timestamp(raw.get("timestamp")),
        unit_id=_unit(raw),
        result=None,
    )
    if verb not in COMPLETING:
        return statement
    score = score_of(_object(raw.get("result"), ("result",)))
    passed = passed_of(verb, _object(raw.get("result"), ("result",)).get("success"))
    result = Result(program_id=program_of(object_id), score=score, passed=passed)
    return dataclasses.replace(statement, result=result)


def statement_id(raw: dict[str, Any]) -> str:
    """The statement's UUID, or one derived from its content (a re-post without id dedupes too)."""
    given = raw.get("id")
    if given is None:
        return derived_id("xapi", json.dumps(raw, sort_keys=True, default=str))
    try:
        return str(uuid.UUID(str(given)))
    except ValueError:
        raise UnmappableStatementError(("id",), "id must be a UUID") from None


def actor_nip(raw: dict[str, Any]) -> str:
    name = _text(raw, ("actor", "account", "name"), "actor.account.name must hold the NIP")
    try:
        return _NIP.validate_python(name)
    except ValidationError as error:
        reason = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise UnmappableStatementError(("actor", "account", "name"), reason) from None


def program_of(object_id: str) -> str:
    match = _PROGRAM.search(object_id)
    if match is None:
        reason = "object.id must end in /programs/<program_id> or be urn:mutu:program:<program_id>"
        raise UnmappableStatementError(("object", "id"), reason)
    return match.group(1)


def score_of(result: dict[str, Any]) -> float:
    """Score 0-100 from result.score: scaled (x100), or raw within min/max (raw alone: 0-100)."""
    loc = ("result", "score")
    score = _object(result.get("score"), loc)
    scaled, raw = score.get("scaled"), score.get("raw")
    if _number(scaled):
        if not 0 <= scaled <= 1:
            raise UnmappableStatementError((*loc, "scaled"), "a completion needs scaled within 0..1")
        return round(float(scaled) * 100, 2)
    if not _number(raw):
        raise UnmappableStatementError(loc, "result.score needs scaled, or raw (with min and max)")
    low, high = (
        score.get("min", 0 if "max" not in score else None),
        score.get("max", 100 if "min" not in score else None),
    )
    if not (_number(low) and _number(high)) or high <= low:
        raise UnmappableStatementError(loc, "result.score needs both min and max, min < max")
    if not low <= raw <= high:
        raise UnmappableStatementError((*loc, "raw"), "raw must lie within min..max")
    return round(float(raw - low) / float(high - low) * 100, 2)


def passed_of(verb: str, success: Any) -> bool:
    """`passed` passes and `failed` fails (result.success may agree); `completed` needs result.success."""
    loc = ("result", "success")
    if success is not None and not isinstance(success, bool):
        raise UnmappableStatementError(loc, "result.success must be true or false")
    if verb == COMPLETED:
        if success is None:
            raise UnmappableStatementError(loc, "result.success is required with the completed verb")
        return success
    verdict = verb == PASSED
    if success is not None and success != verdict:
        raise UnmappableStatementError(loc, f"result.success contradicts the verb {verb.removeprefix(ADL)}")
    return verdict


def _number(value: Any) -> TypeIs[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _object(value: Any, loc: tuple[str, ...]) -> dict[str, Any]:
    if value is None:
        raise UnmappableStatementError(loc, f"{'.'.join(loc)} is required for a completion")
    if not isinstance(value, dict):
        raise UnmappableStatementError(loc, f"{'.'.join(loc)} must be an object")
    return value


def _text(raw: dict[str, Any], path: tuple[str, ...], reason: str) -> str:
    value: Any = raw
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise UnmappableStatementError(path, reason)
    if len(value) > MAX_IRI:
        raise UnmappableStatementError(path, f"{'.'.join(path)} is longer than {MAX_IRI} characters")
    try:
        return check_line(value)
    except ValueError as error:
        raise UnmappableStatementError(path, str(error)) from None


def _timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601; without an offset it is read as UTC."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:  # noqa: PLR2004 - ISO 8601 is short
        raise UnmappableStatementError(("timestamp",), "timestamp must be an ISO 8601 string")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UnmappableStatementError(("timestamp",), "timestamp must be ISO 8601") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    try:  # near year 1 or 9999 an offset has no UTC equivalent: bounded before any arithmetic
        return check_recent(moment)
    except ValueError as error:
        raise UnmappableStatementError(("timestamp",), str(error)) from None


def _unit(raw: dict[str, Any]) -> str | None:
    context = raw.get("context")
    extensions = context.get("extensions") if isinstance(context, dict) else None
    unit = extensions.get(UNIT_EXTENSION) if isinstance(extensions, dict) else None
    if unit is None:
        return None
    try:
        return _UNIT.validate_python(unit)
    except ValidationError:
        raise UnmappableStatementError(("context", "extensions", UNIT_EXTENSION), "not a unit id") from None


Problem = dict[str, Any]


class UnmappableBatchError(errors.InvalidError):
    """Some statements of a batch cannot be taken (the whole batch is refused): a reason for each."""

    def __init__(self, problems: list[Problem]) -> None:
        problems = sorted(problems, key=lambda p: p["loc"][1])
        super().__init__(f"{len(problems)} statement(s) cannot be taken", reasons=problems)
        self.problems = problems


def problem(index: int, loc: tuple[Any, ...], reason: str) -> Problem:
    return {"loc": ["body", index, *loc], "msg": reason, "type": "unmappable"}


def read_all(batch: list[Any]) -> tuple[list[tuple[int, Statement]], list[Problem]]:
    """Every statement read, with its index, and a reason for each one that cannot be."""
    statements, problems = [], []
    for index, raw in enumerate(batch):
        try:
            statements.append((index, read(raw)))
        except UnmappableStatementError as error:
            problems.append(problem(index, error.loc, str(error)))
    return statements, problems
