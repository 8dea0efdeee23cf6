"""Outbox embedded in aggregate documents, and the relay that publishes it with confirms.

A writer stores outgoing events in the same single-document update as the state change
(`outbox.<key>` plus `outbox_pending: true`), so both are durable together without a
multi-document transaction. The relay publishes right after the write (fast path) and a sweeper
re-publishes whatever is still pending after a crash or a broker outage.
"""

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from shared.contract import envelope
from shared.contract.identifiers import field_key
from shared.persistence.storage import Document

logger = logging.getLogger(__name__)

SWEEP_GRACE = dt.timedelta(seconds=2)
REMEMBERED = 20_000  # event ids this process saw confirmed, so a re-read outbox is not sent twice


class RawPublisher(Protocol):
    async def publish_raw(self, body: bytes, *, routing_key: str, message_id: str) -> None: ...


@dataclass(frozen=True)
class Entry:
    """One outgoing event as stored in a document's outbox."""

    key: str
    seq: int
    event_id: str
    routing_key: str
    body: str

    @classmethod
    def of(cls, event: envelope.CloudEvent[Any], seq: int) -> "Entry":
        return cls(
            key=field_key(event.id),
            seq=seq,
            event_id=event.id,
            routing_key=event.data.routing_key,
            body=envelope.to_json(event).decode(),
        )

    def stored(self) -> Document:
        return {
            "seq": self.seq,
            "id": self.event_id,
            "rk": self.routing_key,
            "body": self.body,
            "at": dt.datetime.now(dt.UTC),
        }

    @classmethod
    def load(cls, key: str, raw: Document) -> "Entry":
        return cls(key=key, seq=raw["seq"], event_id=raw["id"], routing_key=raw["rk"], body=raw["body"])


def outbox_fields(entries: Iterable[Entry]) -> Document:
    """The `$set` fields that put entries into a document's outbox."""
    fields: Document = {f"outbox.{e.key}": e.stored() for e in entries}
    if fields:
        fields["outbox_pending"] = True
    return fields


class OutboxRelay:
    """Publishes outbox entries with confirms, then removes them from their document."""

    def __init__(self, publisher: RawPublisher, *, sweep_seconds: float = 5.0) -> None:
        self._publisher = publisher
        self._sweep_seconds = sweep_seconds
        self._collections: list[AsyncCollection[Document]] = []
        self._tasks: set[asyncio.Task[bool]] = set()
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}  # with how many use it
        self._degraded_since: dt.datetime | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._clears: dict[str, tuple[AsyncCollection[Document], list[Any]]] = {}
        self._clearing = False
        # (collection, document, event id) confirmed; insertion-ordered: the oldest are forgotten first.
        # Per document: an integrator may reuse an event id for another person's record.
        self._confirmed: dict[tuple[str, str, str], None] = {}

    def watch(self, collection: AsyncCollection[Document]) -> None:
        """Sweep this collection for pending entries (idempotent)."""
        if all(c.full_name != collection.full_name for c in self._collections):
            self._collections.append(collection)

    async def ensure_indexes(self) -> None:
        for collection in self._collections:
            await collection.create_index("outbox_pending", sparse=True)

    def kick(
        self, collection: AsyncCollection[Document], doc_id: Any, version: int, entries: Sequence[Entry]
    ) -> asyncio.Task[bool] | None:
        """Fast path after a write: publish these entries now, in the background.

        The task's result is True once they are published and cleared from the document.
        """
        if not entries:
            return None
        task = asyncio.create_task(self._deliver(collection, doc_id, version, entries))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _deliver(
        self,
        collection: AsyncCollection[Document],
        doc_id: Any,
        version: int | None,
        entries: Sequence[Entry],
    ) -> bool:
        """Publish a document's entries in `seq` order, one delivery per document at a time.

        A write's entries are all its document's pending ones when it was written; the ones
        published are then removed by key (`_clear_batch`). After a failed delivery (broker
        down) the relay is degraded: every delivery re-reads the document's whole outbox, so
        older entries still pending go out before newer ones.
        """
        lock_key = (collection.full_name, str(doc_id))
        lock, users = self._locks.get(lock_key) or (asyncio.Lock(), 0)
        self._locks[lock_key] = (lock, users + 1)
        try:
            async with lock:
                # A delivery waiting behind another sends what that one did not (`_confirmed`); only
                # after a failure is the document's outbox read again, oldest first.
                if version is None or self._degraded_since is not None:
                    version, entries = None, await _pending_entries(collection, doc_id)
                await self._publish_and_clear(collection, doc_id, entries)
        except Exception:  # the entries stay pending; the sweeper retries them
            self._degraded_since = dt.datetime.now(dt.UTC)
            logger.warning("outbox delivery deferred doc=%s", doc_id, exc_info=True)
            return False
        finally:
            # Forgotten only when no delivery waits for it: a waiter woken but not yet running
            # holds no lock, and a new lock then would let a third delivery run beside it.
            lock, users = self._locks[lock_key]
            if users == 1:
                del self._locks[lock_key]
            else:
                self._locks[lock_key] = (lock, users - 1)
        return True

    async def _publish_and_clear(
        self, collection: AsyncCollection[Document], doc_id: Any, entries: Sequence[Entry]
    ) -> None:
        ordered = sorted(entries, key=lambda e: e.seq)
        for entry in ordered:
            sent = (collection.full_name, str(doc_id), entry.event_id)
            if sent in self._confirmed:  # carried along by a later write; already out
                continue
            await self._publisher.publish_raw(
                entry.body.encode(), routing_key=entry.routing_key, message_id=entry.event_id
            )
            logger.debug("published %s event=%s", entry.routing_key, entry.event_id)
            self._remember(sent)
        await self._clear(collection, doc_id, ordered)

    def _remember(self, sent: tuple[str, str, str]) -> None:
        self._confirmed[sent] = None
        if len(self._confirmed) > REMEMBERED:
            del self._confirmed[next(iter(self._confirmed))]

    async def _clear(
        self, collection: AsyncCollection[Document], doc_id: Any, entries: Sequence[Entry]
    ) -> None:
        """Remove published entries; clears from concurrent deliveries share one bulk write."""
        if not entries:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._clears.setdefault(collection.full_name, (collection, []))[1].append((doc_id, entries, done))
        if not self._clearing:
            self._clearing = True
            asyncio.get_running_loop().create_task(self._drain_clears())
        await done

    async def _drain_clears(self) -> None:
        try:
            while self._clears:
                batches, self._clears = self._clears, {}
                for collection, items in batches.values():
                    try:
                        await _clear_batch(collection, [(doc_id, entries) for doc_id, entries, _ in items])
                    except Exception as error:  # noqa: BLE001 - the sweeper retries; callers learn why
                        for *_, done in items:
                            done.set_exception(error)
                    else:
                        for *_, done in items:
                            done.set_result(None)
        finally:
            self._clearing = False

    async def sweep(self, grace: dt.timedelta = SWEEP_GRACE) -> int:
        """Publish every pending entry older than `grace` (fast path's head start); returns how many."""
        published, failed = 0, False
        started = dt.datetime.now(dt.UTC)
        cutoff = started - grace
        for collection in self._collections:
            async for doc in collection.find({"outbox_pending": True}, {"outbox": 1}):
                stored = doc.get("outbox") or {}
                if not stored:
                    await collection.update_one(
                        {"_id": doc["_id"], "outbox": {}}, {"$unset": {"outbox_pending": ""}}
                    )
                    continue
                entries = [Entry.load(k, v) for k, v in stored.items() if _aware(v["at"]) < cutoff]
                if entries:
                    failed |= not await self._deliver(collection, doc["_id"], None, entries)
                    published += len(entries)
        degraded = self._degraded_since
        if not failed and degraded is not None and degraded < cutoff:
            self._degraded_since = None  # this sweep saw everything pending since the failure
        return published

    async def pending(self) -> tuple[int, float]:
        """Backlog size and age in seconds of the oldest pending entry (for metrics)."""
        count, oldest = 0, 0.0
        now = dt.datetime.now(dt.UTC)
        for collection in self._collections:
            async for doc in collection.find({"outbox_pending": True}, {"outbox": 1}):
                for raw in (doc.get("outbox") or {}).values():
                    count += 1
                    oldest = max(oldest, (now - _aware(raw["at"])).total_seconds())
        return count, oldest

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_seconds)
            try:
                await self.sweep()
            except PyMongoError:
                logger.warning("outbox sweep failed; retrying", exc_info=True)

    def start(self) -> None:
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def stop(self, *, flush: bool = True) -> None:
        """Finish in-flight deliveries, then (with `flush`) a last sweep of everything pending."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        if flush:
            try:
                await asyncio.wait_for(self.sweep(grace=dt.timedelta(0)), timeout=10)
            except (TimeoutError, PyMongoError):
                logger.warning("outbox not fully flushed on shutdown; the next start publishes it")


# After removing the published entries: still pending only if entries are left (written since).
_STILL_PENDING = {
    "$set": {"outbox_pending": {"$cond": [{"$eq": [{"$ifNull": ["$outbox", {}]}, {}]}, "$$REMOVE", True]}}
}


async def _clear_batch(
    collection: AsyncCollection[Document], items: list[tuple[Any, Sequence[Entry]]]
) -> None:
    """Remove each document's published entries, and its pending flag if none are left: one op each.

    An update pipeline on `_id` alone, so a write that came in between keeps its entries and its
    flag without a version guard (the embedded store scans the collection for any other filter).
    """
    await collection.bulk_write(
        [
            UpdateOne({"_id": doc_id}, [{"$unset": _paths(entries)}, _STILL_PENDING])
            for doc_id, entries in items
        ],
        ordered=False,
    )


async def _pending_entries(collection: AsyncCollection[Document], doc_id: Any) -> list[Entry]:
    doc = await collection.find_one({"_id": doc_id}, {"outbox": 1}) or {}
    return [Entry.load(k, v) for k, v in (doc.get("outbox") or {}).items()]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _paths(entries: Sequence[Entry]) -> list[str]:
    """Each published entry's path once (an update refuses a path named twice)."""
    return sorted({f"outbox.{entry.key}" for entry in entries})
