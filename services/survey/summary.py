"""Per-(unit, period, shard) response counters kept with $inc, read flat and merged on request."""

import hashlib
from collections import Counter
from typing import Any

from services.survey import skm
from shared import events
from shared.aggregates import Aggregates, Change
from shared.identifiers import derived_id
from shared.storage import Document

SHARDS = 8


def shard_key(unit_id: str, period: str, response_id: str) -> str:
    shard = int(hashlib.blake2b(response_id.encode(), digest_size=2).hexdigest(), 16) % SHARDS
    return f"{unit_id}:{period}:{shard}"


def increments(response: events.SurveySubmitted) -> dict[str, int]:
    inc = {"n": 1, f"channel.{response.channel}": 1}
    inc |= {f"answers.{code}.{value}": 1 for code, value in response.answers.model_dump().items()}
    profile = response.respondent.model_dump(exclude_none=True) if response.respondent else {}
    for field in ("age_band", "sex", "education"):
        inc[f"profile.{field}.{profile.get(field, 'unknown')}"] = 1
    occupation = profile.get("occupation", "unknown")  # counted by code only: never free text in a path
    inc[f"profile.occupation.{occupation if occupation in skm.OCCUPATIONS else 'unknown'}"] = 1
    return inc


async def count(response: events.SurveySubmitted, *, summaries: Aggregates) -> None:
    """Count a response once (the inbox id derives from response_id, so retries are harmless)."""

    def decide(_: Document) -> Change:
        return Change(set={"unit_id": response.unit_id, "period": response.period}, inc=increments(response))

    key = shard_key(response.unit_id, response.period, response.response_id)
    await summaries.apply(key, derived_id("survey-summary", response.response_id), decide)


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for name, value in part.items():
        if isinstance(value, dict):
            _merge(into.setdefault(name, {}), value)
        else:
            into[name] = into.get(name, 0) + value


async def read(unit_id: str, period: str, population: int | None, *, summaries: Aggregates) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for shard in range(SHARDS):
        doc = await summaries.get(f"{unit_id}:{period}:{shard}") or {}
        _merge(merged, {k: doc[k] for k in ("n", "channel", "answers", "profile") if k in doc})
    n = int(merged.get("n", 0))
    minimum = skm.krejcie_morgan(population) if population else None
    return {
        "unit_id": unit_id,
        "period": period,
        "responses": n,
        "answers": merged.get("answers", {}),
        "channels": dict(Counter(merged.get("channel", {}))),
        "profile": merged.get("profile", {}),
        "sample": {
            "population": population,
            "minimum": minimum,
            "reached": minimum is not None and n >= minimum,
        },
    }
