"""Citizen satisfaction per unit: sharded incremental IKM tallies and the unit rule."""

import asyncio
import hashlib
import logging
from collections import defaultdict
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.evaluation import ikm, model
from services.evaluation.firings import Firings
from services.evaluation.rules import Rules
from shared import envelope, events, metrics
from shared.aggregates import Aggregates, Change
from shared.storage import Document

logger = logging.getLogger(__name__)

# Responses of one unit and quarter spread over this many documents, so that no document (and
# its inbox of event ids) grows without bound and concurrent writers rarely meet.
SHARDS = 16
CHANNELS = ("online", "counter")


def shard_key(unit_id: str, period: str, event_id: str) -> str:
    shard = int.from_bytes(hashlib.blake2b(event_id.encode(), digest_size=2).digest()) % SHARDS
    return f"{unit_id}:{period}:{shard}"


RECENT = 3  # response ids kept per shard and channel: evidence for the unit rule


def tally_change(response: events.SurveySubmitted, event_id: str, doc: Document) -> Change:
    """One response added to its shard: sums per channel and element, the count, recent ids."""
    channel = response.channel
    inc = {f"sums.{channel}.{e}": v for e, v in response.answers.model_dump().items()}
    inc[f"counts.{channel}"] = 1
    recent = [*doc.get("recent", {}).get(channel, [])[-(RECENT - 1) :], event_id]
    return Change(
        set={"unit_id": response.unit_id, "period": response.period, f"recent.{channel}": recent}, inc=inc
    )


def shard_tallies(doc: Document) -> dict[str, ikm.Tally]:
    """The per-channel tallies a shard document holds."""
    tallies = {}
    for channel in CHANNELS:
        sums = doc.get("sums", {}).get(channel, {})
        tallies[channel] = ikm.Tally(
            {e: int(sums.get(e, 0)) for e in ikm.ELEMENTS},
            int(doc.get("counts", {}).get(channel, 0)),
            tuple(doc.get("recent", {}).get(channel, [])),
        )
    return tallies


async def count_response(
    submitted: envelope.CloudEvent[events.SurveySubmitted], *, tallies: Aggregates
) -> bool:
    """Add one response to its shard; the shard's inbox makes a redelivery change nothing."""
    response = submitted.data
    return await tallies.apply(
        shard_key(response.unit_id, response.period, submitted.id),
        submitted.id,
        lambda doc: tally_change(response, submitted.id, doc),
    )


async def read_tallies(
    collection: AsyncCollection[Document], unit_id: str | None, periods: list[str]
) -> dict[str, dict[str, ikm.Tally]]:
    """Per unit, per channel tally summed over the shards of the given quarters (an indexed read)."""
    query: Document = {"period": {"$in": periods}}
    if unit_id is not None:
        query["unit_id"] = unit_id
    result: dict[str, dict[str, ikm.Tally]] = defaultdict(lambda: dict.fromkeys(CHANNELS, ikm.EMPTY))
    async for doc in collection.find(query, {"unit_id": 1, "sums": 1, "counts": 1, "recent": 1}):
        for channel, tally in shard_tallies(doc).items():
            result[doc["unit_id"]][channel] += tally
    return result


def describe(
    unit_id: str, period: str, by_channel: dict[str, ikm.Tally], weights: dict[str, float]
) -> dict[str, Any]:
    total = sum(by_channel.values(), ikm.EMPTY)
    overall = ikm.compute(total, weights)
    body: dict[str, Any] = {"unit_id": unit_id, "period": period, "respondents": total.count}
    body |= _index_fields(overall)
    body["by_channel"] = {
        channel: {"respondents": tally.count, **_index_fields(ikm.compute(tally, weights))}
        for channel, tally in by_channel.items()
    }
    if overall is not None:
        metrics.IKM.labels(unit_id, period).set(overall.converted)
    return body


def _index_fields(index: ikm.Index | None) -> dict[str, Any]:
    if index is None:
        return {"nrr": None, "index": None, "converted": None, "grade": None, "label": None}
    return {
        "nrr": index.nrr,
        "index": index.index,
        "converted": index.converted,
        "grade": index.grade,
        "label": index.label,
    }


class UnitRule:
    """Evaluates the unit rule after responses arrive (debounced per unit and quarter) or on a run."""

    def __init__(self, tallies: Aggregates, units: Aggregates, rules: Rules, delay: float = 0.5) -> None:
        self._tallies = tallies
        self._units = units
        self._rules = rules
        self._delay = delay
        self._scheduled: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def soon(self, unit_id: str, period: str) -> None:
        if (unit_id, period) in self._scheduled:
            return
        self._scheduled.add((unit_id, period))
        task = asyncio.create_task(self._later(unit_id, period))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _later(self, unit_id: str, period: str) -> None:
        await asyncio.sleep(self._delay)
        self._scheduled.discard((unit_id, period))
        try:
            await self.evaluate(unit_id, period)
        except Exception:  # the quarter-end run evaluates it again
            logger.exception("unit rule evaluation failed unit=%s period=%s", unit_id, period)

    async def evaluate(self, unit_id: str, period: str) -> int:
        by_channel = (await read_tallies(self._tallies.collection, unit_id, [period])).get(unit_id, {})
        describe(unit_id, period, by_channel, self._rules.ikm.weights_for(unit_id))  # refreshes the IKM gauge
        decisions = model.judge_unit(unit_id, period, by_channel, self._rules.unit)
        if not decisions:
            return 0
        fired = 0

        def decide(doc: Document) -> Change | None:
            nonlocal fired
            firings = Firings(doc, nip=None, unit_id=unit_id)
            for decision in decisions:
                firings.fire(decision, decision.caused_by)
            fired = len(firings.published)
            return firings.change({"unit_id": unit_id, "period": period}) if firings.published else None

        await self._units.apply(f"{unit_id}:{period}", None, decide)
        return fired
