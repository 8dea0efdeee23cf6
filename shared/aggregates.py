"""Aggregate documents changed atomically: state, inbox (processed ids) and outbox in one update.

Multi-document transactions are not used: the embedded store serialises them globally. Instead
each change is one conditional update on one document (optimistic concurrency on `version`), and
that update also records the event id in the document's inbox and the outgoing events in its
outbox. A redelivered event finds its id in the inbox and changes nothing.
"""

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from shared import envelope, tracing
from shared.group_commit import GroupCommit, Pending, Planned, inc_path, set_path
from shared.outbox import Entry, OutboxRelay, outbox_fields
from shared.storage import Document, field_key, is_duplicate_key

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 50


@dataclass(frozen=True)
class Change:
    """What a decision does to one document: fields to set, counters to add, events to publish."""

    set: Document = field(default_factory=dict)
    inc: Document = field(default_factory=dict)
    publish: Sequence[envelope.CloudEvent[Any]] = ()


class ConcurrencyError(RuntimeError):
    """The document kept changing under us; the message is retried."""


Decide = Callable[[Document], Change | None]


class Aggregates:
    """A collection of versioned aggregate documents with embedded inbox and outbox."""

    def __init__(self, collection: AsyncCollection[Document], relay: OutboxRelay) -> None:
        self.collection = collection
        self._relay = relay
        relay.watch(collection)
        self._group = GroupCommit(collection, plan=self._plan, saved=self._saved, fallback=self._apply_one)

    async def get(self, key: Any) -> Document | None:
        return await self.collection.find_one({"_id": key}, {"inbox": 0, "outbox": 0})

    async def apply(self, key: Any, event_id: str | None, decide: Decide) -> bool:
        """Apply `decide` to the current document; False if `event_id` was applied before.

        `decide` is pure: it gets the document ({} when new) and returns a Change or None.
        Concurrent calls are group-committed (shared/group_commit.py): one read, one bulk write.
        """
        seen = field_key(event_id) if event_id else None
        return await self._group.submit(Pending(key, seen, tracing.stamped(decide)))

    async def _apply_one(self, item: Pending) -> bool:
        """The one-by-one path: used when a grouped write lost a race on its document."""
        for _ in range(MAX_ATTEMPTS):
            doc = await self.collection.find_one({"_id": item.key}) or {}
            if item.seen is not None and item.seen in doc.get("inbox", {}):
                return False
            change = item.decide(doc)
            if change is None and item.seen is None:
                return True
            version = int(doc.get("version", 0))
            if await self._save(item.key, version, item.seen, change or Change(), _pending(doc)):
                return True
        raise ConcurrencyError(str(item.key))

    def _plan(self, plan: Planned, item: Pending) -> bool:
        """Apply one decision to the in-memory document of a group commit."""
        if item.seen is not None and item.seen in plan.doc.get("inbox", {}):
            return False
        change = item.decide(plan.doc)
        if change is None and item.seen is None:
            return True
        change = change or Change()
        if not plan.touched:  # first change to this document: its still-pending entries go out too
            plan.entries.extend(_pending(plan.doc))
        base = plan.version * 1000 + len(plan.entries)
        entries = [Entry.of(event, seq=base + i) for i, event in enumerate(change.publish)]
        for path, value in {**change.set, **outbox_fields(entries)}.items():
            set_path(plan.doc, path, value)
            plan.touched.add(path)
        for path, amount in change.inc.items():
            inc_path(plan.doc, path, amount)
            plan.touched.add(path)
        if item.seen is not None:
            set_path(plan.doc, f"inbox.{item.seen}", dt.datetime.now(dt.UTC))
            plan.touched.add(f"inbox.{item.seen}")
        plan.entries.extend(entries)
        return True

    def _saved(self, key: Any, version: int, entries: list[Entry]) -> None:
        self._relay.kick(self.collection, key, version, entries)

    async def _save(
        self, key: Any, version: int, seen: str | None, change: Change, pending: list[Entry]
    ) -> bool:
        entries = [Entry.of(event, seq=version * 1000 + i) for i, event in enumerate(change.publish)]
        fields: Document = {**change.set, **outbox_fields(entries), "version": version + 1}
        if seen is not None:
            fields[f"inbox.{seen}"] = dt.datetime.now(dt.UTC)
        update: Document = {"$set": fields}
        if change.inc:
            update["$inc"] = change.inc
        condition: Document = {"version": version} if version else {"version": {"$exists": False}}
        try:
            result = await self.collection.update_one({"_id": key, **condition}, update, upsert=not version)
        except PyMongoError as error:
            if is_duplicate_key(error):  # created by someone else meanwhile
                return False
            raise
        if not (result.matched_count or result.upserted_id is not None):
            return False
        self._relay.kick(self.collection, key, version + 1, [*pending, *entries])
        return True


def _pending(doc: Document) -> list[Entry]:
    """Entries already in the document's outbox (perhaps written by another instance, not yet sent).

    The relay clears the whole outbox when the version it wrote is still current, so the write's
    delivery must carry these too; publishing one twice is harmless, dropping one is not.
    """
    return [Entry.load(key, raw) for key, raw in (doc.get("outbox") or {}).items()]
