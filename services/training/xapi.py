"""xAPI 1.0.3 statements to TrainingCompleted: actor NIP, programme from the object id, ADL verbs."""

import json
import re
from typing import Any

from shared.identifiers import derived_id

ADL = "http://adlnet.gov/expapi/verbs/"
COMPLETING = {f"{ADL}completed", f"{ADL}passed", f"{ADL}failed"}
_PROGRAM = re.compile(r"(?:/programs/|^urn:mutu:program:)([A-Za-z0-9._~-]+)/?$")
MAX_STATEMENTS = 100


class UnmappableStatementError(ValueError):
    """The statement cannot become a completion; the message says why."""


def statement_id(statement: dict[str, Any]) -> str:
    given = statement.get("id")
    if isinstance(given, str) and given:
        return given
    return derived_id("xapi", json.dumps(statement, sort_keys=True))


def actor_nip(statement: dict[str, Any]) -> str:
    account = (statement.get("actor") or {}).get("account") or {}
    name = account.get("name")
    if not isinstance(name, str):
        raise UnmappableStatementError("actor.account.name must hold the NIP")
    return name


def verb_of(statement: dict[str, Any]) -> str:
    verb = (statement.get("verb") or {}).get("id")
    if not isinstance(verb, str):
        raise UnmappableStatementError("verb.id is required")
    return verb


def program_of(statement: dict[str, Any]) -> str:
    object_id = (statement.get("object") or {}).get("id")
    match = _PROGRAM.search(object_id) if isinstance(object_id, str) else None
    if match is None:
        raise UnmappableStatementError(
            "object.id must end in /programs/<program_id> or be urn:mutu:program:<id>"
        )
    return match.group(1)


def score_of(result: dict[str, Any]) -> float:
    """Score 0-100 from result.score: scaled (x100) or raw within min/max."""
    score = result.get("score") or {}
    if isinstance(score.get("scaled"), int | float):
        scaled = float(score["scaled"])
        if not 0 <= scaled <= 1:
            raise UnmappableStatementError("result.score.scaled must be within 0..1 for a completion")
        return round(scaled * 100, 2)
    raw, low, high = score.get("raw"), score.get("min", 0), score.get("max", 100)
    if not all(isinstance(v, int | float) for v in (raw, low, high)) or high <= low or not low <= raw <= high:
        raise UnmappableStatementError("result.score needs scaled, or raw within min < max")
    return round(float((raw - low) / (high - low)) * 100, 2)


def outcome_of(statement: dict[str, Any]) -> tuple[float, bool]:
    """(score, passed): `failed` never passes; otherwise result.success decides."""
    result = statement.get("result") or {}
    score = score_of(result)
    verb = verb_of(statement)
    if verb == f"{ADL}failed":
        return score, False
    success = result.get("success")
    if not isinstance(success, bool):
        if verb == f"{ADL}passed":
            return score, True
        raise UnmappableStatementError("result.success is required with the completed verb")
    return score, success
