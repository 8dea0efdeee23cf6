"""Citizen satisfaction per unit (pure): sharded IKM tallies, their sums, and the unit rule's firings."""

import hashlib
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from services.evaluation import ikm
from services.evaluation.firings import Firings, open_count
from services.evaluation.model import Recommendation, TallyShard, UnitQuarter
from shared.contract import events
from shared.persistence.state_store import Outcome

# Responses of one unit and quarter spread over this many documents, so that no document (and
# its inbox of event ids) grows without bound and concurrent writers rarely meet.
SHARDS = 16
CHANNELS = ("online", "counter")
RECENT = 3  # response ids kept per shard and channel: evidence for the unit rule


def shard_key(unit_id: str, period: str, event_id: str) -> str:
    shard = int.from_bytes(hashlib.blake2b(event_id.encode(), digest_size=2).digest()) % SHARDS
    return f"{unit_id}:{period}:{shard}"


def counted(shard: TallyShard, response: events.SurveySubmitted, event_id: str) -> Outcome[TallyShard]:
    """One response added to its shard: sums per channel and element, the count, recent ids."""
    channel = response.channel
    before = shard.sums.get(channel, {})
    sums = {e: before.get(e, 0) + v for e, v in response.answers.model_dump().items()}
    recent = [*shard.recent.get(channel, [])[-(RECENT - 1) :], event_id]
    return Outcome(
        shard.model_copy(
            update={
                "unit_id": response.unit_id,
                "period": response.period,
                "sums": {**shard.sums, channel: sums},
                "counts": {**shard.counts, channel: shard.counts.get(channel, 0) + 1},
                "recent": {**shard.recent, channel: recent},
            }
        )
    )


def shard_tallies(shard: TallyShard) -> dict[str, ikm.Tally]:
    """The per-channel tallies a shard holds."""
    return {
        channel: ikm.Tally(
            {e: shard.sums.get(channel, {}).get(e, 0) for e in ikm.ELEMENTS},
            shard.counts.get(channel, 0),
            tuple(shard.recent.get(channel, [])),
        )
        for channel in CHANNELS
    }


def by_unit(shards: Iterable[TallyShard]) -> dict[str, dict[str, ikm.Tally]]:
    """Per unit, per channel tally summed over shards."""
    result: dict[str, dict[str, ikm.Tally]] = {}
    for shard in shards:
        unit = result.setdefault(shard.unit_id or "", dict.fromkeys(CHANNELS, ikm.EMPTY))
        for channel, tally in shard_tallies(shard).items():
            unit[channel] += tally
    return result


def describe(
    unit_id: str, period: str, by_channel: dict[str, ikm.Tally], weights: Mapping[str, float | Fraction]
) -> dict[str, Any]:
    total = sum(by_channel.values(), ikm.EMPTY)
    overall = ikm.compute(total, weights)
    body: dict[str, Any] = {"unit_id": unit_id, "period": period, "respondents": total.count}
    body |= _index_fields(overall)
    body["by_channel"] = {
        channel: {"respondents": tally.count, **_index_fields(ikm.compute(tally, weights))}
        for channel, tally in by_channel.items()
    }
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


def unit_fired(
    quarter: UnitQuarter, unit_id: str, period: str, decisions: list[Recommendation]
) -> Outcome[UnitQuarter] | None:
    """The unit rule's recommendations on the unit's quarter, each once."""
    firings = Firings(quarter.firings, nip=None, unit_id=unit_id)
    for decision in decisions:
        firings.fire(decision, decision.caused_by)
    if not firings.published:
        return None
    state = quarter.model_copy(
        update={
            "unit_id": unit_id,
            "period": period,
            "firings": firings.all,
            "open_recs": open_count(firings.all),
        }
    )
    return Outcome(state, firings.published)
