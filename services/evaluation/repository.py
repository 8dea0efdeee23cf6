"""Evaluation's ports (people, unit quarters, IKM tally shards) and their MongoDB adapters."""

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from services.evaluation.model import Firing, Person, TallyShard, UnitQuarter
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import Outcome, StateStore
from shared.persistence.storage import Document

PersonDecision = Callable[[Person], Outcome[Person] | None]
QuarterDecision = Callable[[UnitQuarter], Outcome[UnitQuarter] | None]
ShardDecision = Callable[[TallyShard], Outcome[TallyShard] | None]
Target = dict[str, str | None]


class People(Protocol):
    async def get(self, nip: str) -> Person | None: ...
    async def update(self, nip: str, decide: PersonDecision, *, event_id: str | None = None) -> bool: ...
    def nips(self) -> AsyncIterator[str]: ...
    def recommendations(self, *, open_only: bool) -> AsyncIterator[tuple[Target, Firing]]: ...


class UnitQuarters(Protocol):
    async def update(self, key: str, decide: QuarterDecision) -> bool: ...
    def recommendations(self) -> AsyncIterator[tuple[Target, Firing]]: ...


class Tallies(Protocol):
    async def update(self, key: str, decide: ShardDecision, *, event_id: str) -> bool: ...
    async def shards(self, unit_id: str | None, periods: list[str]) -> list[TallyShard]: ...


class MongoPeople:
    """`people`: one document per NIP, indexed on the count of open recommendations."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Person)

    async def create_indexes(self) -> None:
        await self._collection.create_index("open_recs", sparse=True)

    async def get(self, nip: str) -> Person | None:
        return await self._states.get(nip)

    async def update(self, nip: str, decide: PersonDecision, *, event_id: str | None = None) -> bool:
        return await self._states.update(nip, decide, event_id=event_id)

    async def nips(self) -> AsyncIterator[str]:
        async for doc in self._collection.find({}, {"_id": 1}):
            yield str(doc["_id"])

    async def recommendations(self, *, open_only: bool) -> AsyncIterator[tuple[Target, Firing]]:
        query: Document = {"open_recs": {"$gt": 0}} if open_only else {}
        async for doc in self._collection.find(query, {"firings": 1}):
            for raw in (doc.get("firings") or {}).values():
                yield {"nip": str(doc["_id"])}, Firing.model_validate(raw)


class MongoUnitQuarters:
    """`units`: one document per `<unit>:<quarter>` holding the unit rule's firings."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, UnitQuarter)

    async def update(self, key: str, decide: QuarterDecision) -> bool:
        return await self._states.update(key, decide)

    async def recommendations(self) -> AsyncIterator[tuple[Target, Firing]]:
        async for doc in self._collection.find({}, {"firings": 1, "unit_id": 1}):
            for raw in (doc.get("firings") or {}).values():
                yield {"unit_id": doc.get("unit_id")}, Firing.model_validate(raw)


class MongoTallies:
    """`ikm_shards`: SHARDS documents per unit and quarter, indexed on (period, unit)."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, TallyShard)

    async def create_indexes(self) -> None:
        await self._collection.create_index([("period", 1), ("unit_id", 1)])

    async def update(self, key: str, decide: ShardDecision, *, event_id: str) -> bool:
        return await self._states.update(key, decide, event_id=event_id)

    async def shards(self, unit_id: str | None, periods: list[str]) -> list[TallyShard]:
        query: Document = {"period": {"$in": periods}}
        if unit_id is not None:
            query["unit_id"] = unit_id
        fields = {"unit_id": 1, "period": 1, "sums": 1, "counts": 1, "recent": 1}
        return [TallyShard.model_validate(doc) async for doc in self._collection.find(query, fields)]
