"""The programme catalogue in the store: create, patch, list, upcoming search, and seats."""

import datetime as dt
from typing import Any

from pydantic import ValidationError
from pymongo import ReturnDocument

from services.training import model
from shared.aggregates import Aggregates, Change
from shared.identifiers import field_key
from shared.storage import Document

# Read without the seat map (up to `capacity` NIPs), inbox and outbox.
SUMMARY: Document = {"seats": 0, "inbox": 0, "outbox": 0}
FIELDS = (*model.ProgramFields.model_fields, "enrolled_count")
MAX_LISTED = 500


class UnknownProgramError(LookupError):
    """No programme with that id."""


class ProgramExistsError(ValueError):
    """A different programme already has that id."""


class ProgramFullError(ValueError):
    """No seat left on the programme."""


class CapacityError(ValueError):
    """The capacity would drop below the seats already taken."""


async def create(programs: Aggregates, program: model.Program) -> bool:
    """Add a programme; False when the very same programme exists (a retried POST)."""
    fields = program.model_dump(exclude={"program_id"})
    created = False

    def decide(doc: Document) -> Change | None:
        nonlocal created
        if doc:
            if {k: doc.get(k) for k in fields} != _comparable(fields):
                raise ProgramExistsError(program.program_id)
            created = False
            return None
        created = True
        return Change(set={**fields, "enrolled_count": 0, "seats": {}})

    await programs.apply(program.program_id, None, decide)
    return created


def _comparable(fields: Document) -> Document:
    """Values as they come back from the store (UTC instants)."""
    return {k: v.astimezone(dt.UTC) if isinstance(v, dt.datetime) else v for k, v in fields.items()}


async def patch(programs: Aggregates, program_id: str, changes: model.ProgramPatch) -> None:
    """Change catalogue fields; the merged programme must still be valid and hold its enrolments."""
    given = changes.model_dump(exclude_unset=True)

    def decide(doc: Document) -> Change:
        if not doc:
            raise UnknownProgramError(program_id)
        merged = {k: doc.get(k) for k in model.ProgramFields.model_fields} | given
        valid = model.ProgramFields.model_validate(merged)  # raises ValidationError with field reasons
        if valid.capacity < int(doc.get("enrolled_count", 0)):
            raise CapacityError(program_id)
        return Change(set=given)

    await programs.apply(program_id, None, decide)


async def get(programs: Aggregates, program_id: str) -> Document | None:
    return await programs.collection.find_one({"_id": program_id}, SUMMARY)


async def by_ids(programs: Aggregates, program_ids: set[str]) -> list[Document]:
    if not program_ids:
        return []
    return await programs.collection.find({"_id": {"$in": sorted(program_ids)}}, SUMMARY).to_list()


async def listing(
    programs: Aggregates, *, competency: str | None, method: str | None, starts_after: dt.datetime | None
) -> list[Document]:
    query: Document = {}
    if competency:
        query["competency"] = competency
    if method:
        query["method"] = method
    if starts_after:
        query["starts_at"] = {"$gt": starts_after}
    cursor = programs.collection.find(query, SUMMARY).sort([("starts_at", 1), ("_id", 1)]).limit(MAX_LISTED)
    return await cursor.to_list()


async def upcoming_with_room(
    programs: Aggregates, competency: str, now: dt.datetime, nip: str
) -> list[Document]:
    """Programmes in a competency that start after `now` with a seat left (or the person's), soonest first."""
    query = {
        "competency": competency,
        "starts_at": {"$gt": now},
        "$or": [
            {"$expr": {"$lt": ["$enrolled_count", "$capacity"]}},
            {f"seats.{field_key(nip)}": {"$exists": True}},
        ],
    }
    return await programs.collection.find(query, SUMMARY).sort("starts_at", 1).limit(20).to_list()


async def take_seat(programs: Aggregates, program_id: str, nip: str) -> tuple[Document, bool]:
    """Take a seat in one conditional update, so concurrent requests never over-book.

    Returns the programme and whether the seat is new (False: the person already had one).
    """
    seat = f"seats.{field_key(nip)}"
    taken = await programs.collection.find_one_and_update(
        {"_id": program_id, seat: {"$exists": False}, "$expr": {"$lt": ["$enrolled_count", "$capacity"]}},
        {"$set": {seat: nip}, "$inc": {"enrolled_count": 1, "version": 1}},
        projection=SUMMARY,
        return_document=ReturnDocument.AFTER,
    )
    if taken is not None:
        return taken, True
    doc = await programs.collection.find_one({"_id": program_id}, {**_projection(), seat: 1})
    if doc is None:
        raise UnknownProgramError(program_id)
    if field_key(nip) in doc.get("seats", {}):
        return doc, False
    raise ProgramFullError(program_id)


def _projection() -> dict[str, Any]:
    return dict.fromkeys(FIELDS, 1)


async def release_seat(programs: Aggregates, program_id: str, nip: str) -> bool:
    """Give the seat back; False when the person held none."""
    seat = f"seats.{field_key(nip)}"
    result = await programs.collection.update_one(
        {"_id": program_id, seat: {"$exists": True}},
        {"$unset": {seat: ""}, "$inc": {"enrolled_count": -1, "version": 1}},
    )
    return result.matched_count == 1


async def seat_holders(programs: Aggregates, program_id: str) -> list[str] | None:
    doc = await programs.collection.find_one({"_id": program_id}, {"seats": 1})
    return None if doc is None else sorted(doc.get("seats", {}).values())


def validation_error(error: ValidationError) -> list[dict[str, Any]]:
    """Field-level reasons of a merged-programme check, located in the request body."""
    return [
        {"loc": ["body", *map(str, e["loc"])], "msg": e["msg"], "type": e["type"]} for e in error.errors()
    ]
