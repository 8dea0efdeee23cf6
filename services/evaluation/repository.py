"""Evaluation's ports (people, unit quarters, IKM tally shards, quarter closes) and their MongoDB adapters."""

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from services.evaluation.model import Firing, ForumQuarter, Person, QuarterClose, TallyShard, UnitQuarter
from shared.persistence import sealed
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import Outcome, StateStore, load, state_fields
from shared.persistence.storage import Document

PersonDecision = Callable[[Person], Outcome[Person] | None]
QuarterDecision = Callable[[UnitQuarter], Outcome[UnitQuarter] | None]
ShardDecision = Callable[[TallyShard], Outcome[TallyShard] | None]
CloseDecision = Callable[[QuarterClose], Outcome[QuarterClose] | None]
ForumDecision = Callable[[ForumQuarter], Outcome[ForumQuarter] | None]
Target = dict[str, str | None]


class People(Protocol):
    async def get(self, nip: str) -> Person | None: ...
    async def update(self, nip: str, decide: PersonDecision, *, event_id: str | None = None) -> bool: ...
    def nips(self) -> AsyncIterator[str]: ...
    def recommendations(
        self, *, open_only: bool, unit_id: str | None = None
    ) -> AsyncIterator[tuple[Target, Firing]]: ...
    async def holding(self, recommendation_key: str) -> str | None: ...
    async def passers(
        self, *, program_id: str | None = None, quarters: list[str] | None = None
    ) -> list[tuple[str, Person]]: ...
    def unindexed(self) -> AsyncIterator[str]: ...


class UnitQuarters(Protocol):
    async def get(self, key: str) -> UnitQuarter | None: ...
    async def update(self, key: str, decide: QuarterDecision) -> bool: ...
    def recommendations(self, *, unit_id: str | None = None) -> AsyncIterator[tuple[Target, Firing]]: ...
    async def holding(self, recommendation_key: str) -> str | None: ...
    async def with_open(self, unit_id: str | None) -> list[UnitQuarter]: ...
    async def seated(self, program_id: str | None) -> list[UnitQuarter]: ...


class QuarterCloses(Protocol):
    async def get(self, period: str) -> QuarterClose | None: ...
    async def update(self, period: str, decide: CloseDecision) -> bool: ...
    async def latest_closed(self) -> str | None: ...


class Tallies(Protocol):
    async def update(self, key: str, decide: ShardDecision, *, event_id: str) -> bool: ...
    async def shards(self, unit_id: str | None, periods: list[str]) -> list[TallyShard]: ...


class ForumQuarters(Protocol):
    async def get(self, key: str) -> ForumQuarter | None: ...
    async def update(self, key: str, decide: ForumDecision, *, event_id: str) -> bool: ...
    async def of_period(self, unit_id: str | None, period: str) -> list[ForumQuarter]: ...


class MongoPeople:
    """`people`: one document per NIP, indexed on the count of open recommendations."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Person)

    async def create_indexes(self) -> None:
        await self._collection.create_index("open_recs", sparse=True)
        await self._collection.create_index("programs", sparse=True)
        await self._collection.create_index("pass_quarters", sparse=True)

    async def get(self, nip: str) -> Person | None:
        return await self._states.get(nip)

    async def update(self, nip: str, decide: PersonDecision, *, event_id: str | None = None) -> bool:
        return await self._states.update(nip, decide, event_id=event_id)

    async def nips(self) -> AsyncIterator[str]:
        async for doc in self._collection.find({}, {"_id": 1}):
            yield str(doc["_id"])

    async def recommendations(
        self, *, open_only: bool, unit_id: str | None = None
    ) -> AsyncIterator[tuple[Target, Firing]]:
        """Every person's firings (of people in `unit_id` only, when given: filtered by the store)."""
        query: Document = {"open_recs": {"$gt": 0}} if open_only else {}
        if unit_id is not None:
            query["unit_id"] = unit_id
        async for doc in self._collection.find(query, {**sealed.projection("firings"), "unit_id": 1}):
            for raw in sealed.merged(doc, "firings").values():
                yield {"nip": str(doc["_id"]), "unit_id": doc.get("unit_id")}, Firing.model_validate(raw)

    async def holding(self, recommendation_key: str) -> str | None:
        """The NIP whose record holds the recommendation (field_key of its id), if any."""
        doc = await self._collection.find_one(
            {f"firings.{recommendation_key}": {"$exists": True}}, {"_id": 1}
        )
        return None if doc is None else str(doc["_id"])

    async def passers(
        self, *, program_id: str | None = None, quarters: list[str] | None = None
    ) -> list[tuple[str, Person]]:
        """People who passed `program_id`, or passed anything in `quarters` (both: both), firings left out."""
        query: Document = {}
        if program_id is not None:
            query["programs"] = program_id
        if quarters is not None:
            query["pass_quarters"] = {"$in": quarters}
        fields = {"firings": 0, f"{sealed.FIELD}.firings": 0, "inbox": 0, "outbox": 0}
        return [(str(doc["_id"]), load(Person, doc)) async for doc in self._collection.find(query, fields)]

    async def unindexed(self) -> AsyncIterator[str]:
        """NIPs of records with passed trainings written before the pass index existed."""
        unindexed = self._collection.find({"programs": {"$exists": False}}, sealed.projection("trainings"))
        async for doc in unindexed:
            if any(t.get("passed") for t in sealed.merged(doc, "trainings").values()):
                yield str(doc["_id"])


class MongoUnitQuarters:
    """`units`: one document per `<unit>:<quarter>` holding the unit rule's firings."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, UnitQuarter)

    async def create_indexes(self) -> None:
        await self._collection.create_index([("unit_id", 1), ("open_recs", 1)])

    async def get(self, key: str) -> UnitQuarter | None:
        return await self._states.get(key)

    async def update(self, key: str, decide: QuarterDecision) -> bool:
        return await self._states.update(key, decide)

    async def recommendations(self, *, unit_id: str | None = None) -> AsyncIterator[tuple[Target, Firing]]:
        query: Document = {} if unit_id is None else {"unit_id": unit_id}
        async for doc in self._collection.find(query, {"firings": 1, "unit_id": 1}):
            for raw in (doc.get("firings") or {}).values():
                yield {"unit_id": doc.get("unit_id")}, Firing.model_validate(raw)

    async def holding(self, recommendation_key: str) -> str | None:
        """The `<unit>:<quarter>` document holding the recommendation, if any."""
        doc = await self._collection.find_one(
            {f"firings.{recommendation_key}": {"$exists": True}}, {"_id": 1}
        )
        return None if doc is None else str(doc["_id"])

    async def with_open(self, unit_id: str | None) -> list[UnitQuarter]:
        """Unit quarters with open or scheduled recommendations (of one unit, or all)."""
        query: Document = {"open_recs": {"$gt": 0}}
        if unit_id is not None:
            query["unit_id"] = unit_id
        return [UnitQuarter.model_validate(state_fields(doc)) async for doc in self._collection.find(query)]

    async def seated(self, program_id: str | None) -> list[UnitQuarter]:
        """Unit quarters with a recommendation a member holds a seat for (in `program_id`, or any).

        Seats are map values, which no index reaches: the unit quarters with recommendations
        are read and filtered here (units x quarters: a few hundred documents a year).
        """
        query: Document = {"firings": {"$exists": True}}
        found = [UnitQuarter.model_validate(state_fields(doc)) async for doc in self._collection.find(query)]
        return [q for q in found if any(f.seated_in(program_id) for f in q.firings.values())]


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


class MongoQuarterCloses:
    """`quarters`: one document per closed quarter (its `_id`), claimed once with the version guard."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, QuarterClose)

    async def get(self, period: str) -> QuarterClose | None:
        return await self._states.get(period)

    async def update(self, period: str, decide: CloseDecision) -> bool:
        return await self._states.update(period, decide)

    async def latest_closed(self) -> str | None:
        async for doc in (
            self._collection.find({"closed_at": {"$ne": None}}, {"_id": 1}).sort("_id", -1).limit(1)
        ):
            return str(doc["_id"])
        return None


class MongoForumQuarters:
    """`forum_signals`: one document per `<unit>:<quarter>` holding its feedback items by feedback id."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, ForumQuarter)

    async def create_indexes(self) -> None:
        await self._collection.create_index([("period", 1), ("unit_id", 1)])

    async def get(self, key: str) -> ForumQuarter | None:
        return await self._states.get(key)

    async def update(self, key: str, decide: ForumDecision, *, event_id: str) -> bool:
        return await self._states.update(key, decide, event_id=event_id)

    async def of_period(self, unit_id: str | None, period: str) -> list[ForumQuarter]:
        """The quarter's documents (of one unit, or of every unit with feedback in it)."""
        query: Document = {"period": period}
        if unit_id is not None:
            query["unit_id"] = unit_id
        return [ForumQuarter.model_validate(state_fields(doc)) async for doc in self._collection.find(query)]


async def decided(
    quarters: UnitQuarters,
    key: str,
    decide: Callable[[UnitQuarter], Outcome[UnitQuarter] | None],
    *,
    counted: Callable[[Outcome[UnitQuarter]], int] = lambda outcome: len(outcome.publish),
) -> int:
    """Apply `decide` to the unit quarter `key`; how many of the events it published `counted` takes."""
    count = 0

    def recorded(quarter: UnitQuarter) -> Outcome[UnitQuarter] | None:
        nonlocal count
        outcome = decide(quarter)
        count = counted(outcome) if outcome else 0
        return outcome

    await quarters.update(key, recorded)
    return count
