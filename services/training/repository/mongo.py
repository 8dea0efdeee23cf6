"""Training's MongoDB adapters: the only code that knows the document layout of its six collections."""

import collections
import datetime as dt
from collections.abc import Iterable
from typing import Any

from pymongo import ReturnDocument

from services.training.model import roster
from services.training.model.groups import Group
from services.training.model.people import Person
from services.training.model.planning import Demand
from services.training.model.programmes import (
    ProgramFields,
    ProgramFullError,
    Programme,
    UnknownProgramError,
)
from services.training.model.records import Record
from services.training.model.roster import Unit
from services.training.model.statements import Month
from services.training.repository import Decision
from shared.contract.identifiers import field_key
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import StateStore, load, state_fields
from shared.persistence.storage import Document

# Read without the seat map (up to `capacity` NIPs), inbox and outbox.
SUMMARY: Document = {"seats": 0, "inbox": 0, "outbox": 0}
MAX_LISTED = 500
MAX_UPCOMING = 20
KNOWN_MEMBERS = 10_000  # (unit, NIP) memberships a process remembers: a kecamatan has some 300 people
# People with an open recommendation: `waiting` holds its competencies (a range on the index).
WAITING: list[Document] = [{"$match": {"waiting": {"$gt": ""}}}]
PEOPLE_PER_COMPETENCY: list[Document] = [
    {"$project": {"_id": 0, "waiting": 1}},
    {"$unwind": "$waiting"},
    {"$group": {"_id": "$waiting", "people": {"$sum": 1}}},
]
UNITS_PER_COMPETENCY: list[Document] = [
    {"$project": {"_id": 0, "recommendations": {"$objectToArray": "$recommendations"}}},
    {"$unwind": "$recommendations"},
    {"$match": {"recommendations.v.status": "open", "recommendations.v.target": "unit"}},
    {
        "$group": {
            "_id": {"competency": "$recommendations.v.competency", "unit_id": "$recommendations.v.unit_id"}
        }
    },
]


def _programme(doc: Document) -> Programme:
    return Programme.model_validate({**doc, "program_id": doc["_id"], "seats": None})


class MongoProgrammes:
    """`programs`: one document per programme: its fields, `seats` (hashed NIP -> NIP), enrolled_count."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Programme)

    async def create_indexes(self) -> None:
        await self._collection.create_index([("competency", 1), ("starts_at", 1)])

    async def get(self, program_id: str) -> Programme | None:
        doc = await self._collection.find_one({"_id": program_id}, SUMMARY)
        return None if doc is None else _programme(doc)

    async def update(self, program_id: str, decide: Decision[Programme]) -> bool:
        return await self._states.update(program_id, decide)

    async def by_ids(self, program_ids: Iterable[str]) -> dict[str, Programme]:
        wanted = sorted(set(program_ids))
        if not wanted:
            return {}
        found = self._collection.find({"_id": {"$in": wanted}}, SUMMARY)
        return {str(doc["_id"]): _programme(doc) async for doc in found}

    async def listing(
        self, *, competency: str | None, method: str | None, starts_after: dt.datetime | None
    ) -> list[Programme]:
        query: Document = {}
        if competency:
            query["competency"] = competency
        if method:
            query["method"] = method
        if starts_after:
            query["starts_at"] = {"$gt": starts_after}
        cursor = self._collection.find(query, SUMMARY).sort([("starts_at", 1), ("_id", 1)]).limit(MAX_LISTED)
        return [_programme(doc) async for doc in cursor]

    async def upcoming_with_room(self, competency: str, now: dt.datetime, nip: str) -> list[Programme]:
        """Programmes in a competency starting after `now` with room (or the person's seat), soonest first."""
        query = {
            "competency": competency,
            "starts_at": {"$gt": now},
            "$or": [
                {"$expr": {"$lt": ["$enrolled_count", "$capacity"]}},
                {f"seats.{field_key(nip)}": {"$exists": True}},
            ],
        }
        cursor = self._collection.find(query, SUMMARY).sort("starts_at", 1).limit(MAX_UPCOMING)
        return [_programme(doc) async for doc in cursor]

    async def take_seat(self, program_id: str, nip: str) -> tuple[Programme, bool]:
        """Take a seat in one conditional update, so concurrent requests never over-book.

        Returns the programme and whether the seat is new (False: the person already had one);
        raises UnknownProgramError or ProgramFullError.
        """
        seat = f"seats.{field_key(nip)}"
        taken = await self._collection.find_one_and_update(
            {"_id": program_id, seat: {"$exists": False}, "$expr": {"$lt": ["$enrolled_count", "$capacity"]}},
            {"$set": {seat: nip}, "$inc": {"enrolled_count": 1, "version": 1}},
            projection=SUMMARY,
            return_document=ReturnDocument.AFTER,
        )
        if taken is not None:
            return _programme(taken), True
        doc = await self._collection.find_one({"_id": program_id}, {**_fields(), seat: 1})
        if doc is None:
            raise UnknownProgramError
        if field_key(nip) in doc.get("seats", {}):
            return _programme(doc), False
        raise ProgramFullError

    async def release_seat(self, program_id: str, nip: str) -> bool:
        """Give the seat back; False when the person held none."""
        seat = f"seats.{field_key(nip)}"
        result = await self._collection.update_one(
            {"_id": program_id, seat: {"$exists": True}},
            {"$unset": {seat: ""}, "$inc": {"enrolled_count": -1, "version": 1}},
        )
        return result.matched_count == 1

    async def seat_holders(self, program_id: str) -> list[str] | None:
        doc = await self._collection.find_one({"_id": program_id}, {"seats": 1})
        return None if doc is None else sorted(doc.get("seats", {}).values())


def _fields() -> dict[str, Any]:
    return dict.fromkeys((*ProgramFields.model_fields, "enrolled_count"), 1)


class MongoPeople:
    """`people`: one document per NIP (roster, unit, enrolments, recommendations by hashed id, `waiting`)."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Person)

    async def get(self, nip: str) -> Person | None:
        return await self._states.get(nip)

    async def update(self, nip: str, decide: Decision[Person]) -> bool:
        return await self._states.update(nip, decide)

    async def units_of(self, nips: Iterable[str]) -> dict[str, str | None]:
        found = self._collection.find({"_id": {"$in": sorted(set(nips))}}, {"unit_id": 1})
        return {str(doc["_id"]): doc.get("unit_id") async for doc in found}

    async def many(self, nips: Iterable[str]) -> dict[str, Person]:
        found = self._collection.find({"_id": {"$in": sorted(set(nips))}}, {"inbox": 0, "outbox": 0})
        return {str(doc["_id"]): Person.model_validate(state_fields(doc)) async for doc in found}

    async def create_indexes(self) -> None:
        await self._collection.create_index([("waiting", 1)])

    async def waiting(self, competency: str) -> list[str]:
        found = self._collection.find({"waiting": competency}, {"_id": 1}).sort("_id", 1).limit(MAX_LISTED)
        return [str(doc["_id"]) async for doc in found]

    async def holding(self, recommendation_id: str) -> list[str]:
        path = f"recommendations.{field_key(recommendation_id)}"
        found = self._collection.find({path: {"$exists": True}}, {"_id": 1}).sort("_id", 1)
        return [str(doc["_id"]) async for doc in found]

    async def demand(self) -> list[Demand]:
        """Two aggregations over the people who wait (the `waiting` index): counts come back, not people."""
        people = await self._collection.aggregate([*WAITING, *PEOPLE_PER_COMPETENCY])
        counts = {str(row["_id"]): int(row["people"]) async for row in people}
        units = await self._collection.aggregate([*WAITING, *UNITS_PER_COMPETENCY])
        pairs = [(str(row["_id"]["competency"]), str(row["_id"]["unit_id"])) async for row in units]
        return [
            Demand(
                competency=code,
                people=counts.get(code, 0),
                units=tuple(sorted(unit for c, unit in pairs if c == code)),
            )
            for code in sorted(set(counts) | {c for c, _ in pairs})
        ]


class MongoUnits:
    """`units`: one document per unit id, the members the service knows."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Unit)
        self._members: collections.OrderedDict[tuple[str, str], None] = collections.OrderedDict()

    async def get(self, unit_id: str) -> Unit | None:
        return await self._states.get(unit_id)

    async def with_roster(self) -> list[str]:
        found = self._collection.find({}, {"_id": 1, "roster": 1})
        return sorted([str(doc["_id"]) async for doc in found if doc.get("roster")])

    async def update(self, unit_id: str, decide: Decision[Unit]) -> bool:
        return await self._states.update(unit_id, decide)

    async def join(self, unit_id: str, nip: str) -> None:
        """Members are never removed, so a membership this process saw stored is not read again.

        Nearly every completion names a member the unit has (a no-op): without this, each one
        read the unit's document (every member in it) to decide nothing. Any instance may still
        add the member; the decision (roster.joined) stays the store's, on a fresh read.
        """
        key = (unit_id, nip)
        if key in self._members:
            self._members.move_to_end(key)
            return
        await self._states.update(unit_id, lambda unit: roster.joined(unit, nip))
        self._members[key] = None
        if len(self._members) > KNOWN_MEMBERS:
            self._members.popitem(last=False)


class MongoRecords:
    """`records`: one document per `<nip>:<year>`: completions with their inbox and outbox; indexed on NIP."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Record)

    async def create_indexes(self) -> None:
        await self._collection.create_index([("nip", 1)])

    async def get(self, key: str) -> Record | None:
        return await self._states.get(key)

    async def update(self, key: str, decide: Decision[Record], *, event_id: str) -> bool:
        return await self._states.update(key, decide, event_id=event_id)

    async def of_person(self, nip: str) -> list[Record]:
        found = self._collection.find({"nip": nip}, {"inbox": 0, "outbox": 0})
        return [load(Record, doc) async for doc in found]

    async def of_people(self, nips: Iterable[str]) -> dict[str, list[Record]]:
        found = self._collection.find({"nip": {"$in": sorted(set(nips))}}, {"inbox": 0, "outbox": 0})
        records: dict[str, list[Record]] = {}
        async for doc in found:
            record = load(Record, doc)
            records.setdefault(record.nip or "", []).append(record)
        return records


class MongoMonths:
    """`statements`: one document per `<nip>:<YYYY-MM>`, the xAPI statements kept that month."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Month)

    async def counts(self, keys: Iterable[str]) -> dict[str, int]:
        found = self._collection.find({"_id": {"$in": sorted(set(keys))}}, {"count": 1})
        return {str(doc["_id"]): int(doc.get("count", 0)) async for doc in found}

    async def update(self, key: str, decide: Decision[Month], *, event_id: str) -> bool:
        return await self._states.update(key, decide, event_id=event_id)


class MongoGroups:
    """`groups`: one document per group id."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._aggregates = aggregates
        self._states = StateStore(aggregates, Group)

    async def get(self, group_id: str) -> Group | None:
        doc = await self._aggregates.get(group_id)
        return None if doc is None else Group.model_validate({**doc, "group_id": doc["_id"]})

    async def update(self, group_id: str, decide: Decision[Group]) -> bool:
        return await self._states.update(group_id, decide)
