"""Aggregate documents changed atomically: state, inbox (processed ids) and outbox in one update.

Multi-document transactions are not used: the embedded store serialises them globally. Instead
each change is one conditional update on one document (optimistic concurrency on `version`), and
that update also records the event as applied (shared/persistence/inbox.py: its natural key, or a mark in the
inbox kept for the retention window) and the outgoing events in its outbox. A redelivered event
finds itself applied and changes nothing.
"""

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from shared.contract import envelope
from shared.contract.identifiers import field_key
from shared.messaging.outbox import Entry, OutboxRelay, outbox_fields
from shared.observability import tracing
from shared.persistence import inbox
from shared.persistence.group_commit import GroupCommit, Pending, Planned, inc_path, set_path, unset_path
from shared.persistence.storage import MAX_DOCUMENT_BYTES, Document

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """What a decision does to one document: fields to set, counters to add, events to publish."""

    set: Document = field(default_factory=dict)
    inc: Document = field(default_factory=dict)
    publish: Sequence[envelope.CloudEvent[Any]] = ()


Decide = Callable[[Document], Change | None]
Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Aggregates:
    """A collection of versioned aggregate documents with embedded inbox and outbox."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        relay: OutboxRelay,
        *,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        inbox_retention: dt.timedelta | None = inbox.RETENTION,
        clock: Clock = _now,
        remember: int = 0,
    ) -> None:
        """`remember`: how many documents this process keeps as it last wrote them (group_commit.py)."""
        self.collection = collection
        self._relay = relay
        self._retention = inbox_retention
        self._clock = clock
        relay.watch(collection)
        self._group = GroupCommit(
            collection,
            plan=self._plan,
            saved=self._saved,
            max_document_bytes=max_document_bytes,
            remember=remember,
        )

    async def get(self, key: Any) -> Document | None:
        return await self.collection.find_one({"_id": key}, {"inbox": 0, "outbox": 0})

    async def apply(self, key: Any, event_id: str | None, decide: Decide) -> bool:
        """Apply `decide` to the current document; False if `event_id` was applied before.

        `decide` is pure: it gets the document ({} when new) and returns a Change or None.
        Concurrent calls are group-committed (shared/persistence/group_commit.py): one read, one bulk write.
        """
        return await self._group.submit(Pending(key, event_id, _stamped(decide)))

    def _plan(self, plan: Planned, item: Pending) -> bool:
        """Apply one decision to the in-memory document of a group commit."""
        event_id = item.event_id
        seen = field_key(event_id) if event_id is not None else None
        if event_id is not None and seen is not None and inbox.applied(plan.doc, event_id, seen):
            return False
        change = item.decide(plan.doc)
        if change is None and item.event_id is None:
            return True
        change = change or Change()
        now = self._clock()
        if not plan.touched:  # first change to this document: its still-pending entries go out too
            plan.entries.extend(_pending(plan.doc))
            for path in inbox.expired(plan.doc, now, self._retention) if self._retention else ():
                unset_path(plan.doc, path)
                plan.removed.add(path)
        base = plan.version * 1000 + len(plan.entries)
        entries = [Entry.of(event, seq=base + i) for i, event in enumerate(change.publish)]
        for path, value in {**change.set, **outbox_fields(entries)}.items():
            set_path(plan.doc, path, value)
            plan.touched.add(path)
        for path, amount in change.inc.items():
            inc_path(plan.doc, path, amount)
            plan.touched.add(path)
        if event_id is not None and seen is not None and not inbox.natural(change.set, seen):
            path, value = inbox.marked(plan.doc, event_id, now)
            set_path(plan.doc, path, value)
            plan.touched.add(path)
        plan.entries.extend(entries)
        return True

    def _saved(self, key: Any, version: int, entries: list[Entry]) -> None:
        delivery = self._relay.kick(self.collection, key, version, entries)
        if delivery is None:
            return

        def cleared(task: "asyncio.Task[bool]") -> None:
            if not task.cancelled() and task.exception() is None and task.result():
                self._group.delivered(key, [entry.key for entry in entries])

        delivery.add_done_callback(cleared)


def _pending(doc: Document) -> list[Entry]:
    """Entries already in the document's outbox (perhaps written by another instance, not yet sent).

    The relay clears the whole outbox when the version it wrote is still current, so the write's
    delivery must carry these too; publishing one twice is harmless, dropping one is not.
    """
    return [Entry.load(key, raw) for key, raw in (doc.get("outbox") or {}).items()]


def _stamped(decide: Callable[[Document], Change | None]) -> Callable[[Document], Change | None]:
    """`decide`, with the caller's trace put on every event it publishes that has none yet.

    Captured here, in the caller's task: a group commit may run `decide` in another task.
    """
    parent = tracing.current_traceparent()
    if parent is None:
        return decide

    def with_trace(doc: Document) -> Change | None:
        change = decide(doc)
        if change is None or not change.publish:
            return change
        publish = [
            e if e.traceparent else e.model_copy(update={"traceparent": parent}) for e in change.publish
        ]
        return dataclasses.replace(change, publish=publish)

    return with_trace
