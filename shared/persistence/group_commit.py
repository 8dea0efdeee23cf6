"""Group commit: concurrent changes to one collection become one read each and one bulk write.

Each caller submits (key, event id, decide). While a flush is running, new submissions queue up;
the next flush takes all of them: a point read of each of their documents (by `_id`, concurrent),
every `decide` applied in arrival order to an in-memory copy (so several events on one document
see each other), and one unordered `bulk_write` of version-guarded updates on `_id`
(`guarded_update`).
A guard that no longer matches (another instance wrote the document first) leaves that document
as it was; the store then reports fewer documents written than were sent, and a read of the
token each write leaves tells which (`_not_written`). Those callers go back in the queue and are
planned again on a fresh read after a short random pause.
Each round one writer of a hot document wins, so all of them finish; after `MAX_ROUNDS` lost
rounds a caller gets ConcurrencyError and its message is retried by the broker.

A failing write fails only its own callers. Before sending, each planned document is encoded
once (`bson.encode`): one that cannot be encoded, or that would pass `max_document_bytes`
(real MongoDB refuses documents over 16 MB; the embedded store does not), is left out of the
bulk write. A write error other than a lost guard fails that document's callers only; the rest
of the unordered batch was written. When several callers share a failing document, each is
planned again on its own, so the one whose change is at fault fails and the others go through.

Written documents remembered (`remember` > 0, for collections where nearly every event writes):
a document this process wrote is kept as written (the `remember` most recent), and the next
batch on it plans on that copy instead of reading it again. The version guard makes this safe
with other writers: a copy that is no longer current fails its guard, and its callers are
planned again on a fresh read. Only a write the store took confirms what was decided on a copy:
a batch that wrote nothing there (a duplicate, a no-op), lost its guard, or raised, is decided
again on a fresh read (an "already applied" or a refusal on a stale copy must not be trusted).
The outbox is part of the copy: the relay reports each delivery (`delivered`), and only then
are those entries dropped from it. Nothing deletes aggregate documents; one deleted by hand
while a copy is remembered would come back with the copy's next write.
"""

import asyncio
import collections
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import bson
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.observability import metrics
from shared.persistence.storage import DUPLICATE_KEY, MAX_DOCUMENT_BYTES, Document, DocumentTooLargeError

MAX_BATCH = 256
WRITE_FIELD = "_write"  # the token of the batch that last wrote the document (see _write)
_STALE = "_stale"  # envelope of a document whose plan lost its guard (never stored)
MAX_ROUNDS = 100
READ_CONCURRENCY = 32  # point reads of one batch in flight at once


class ConcurrencyError(RuntimeError):
    """The document kept changing under us for `MAX_ROUNDS` rounds."""


class WriteRefusedError(RuntimeError):
    """The store refused this document's write (an error other than a lost version guard)."""

    def __init__(self, code: object, message: str) -> None:
        super().__init__(f"the store refused the write (code {code}): {message[:200]}")


@dataclass
class Pending:
    key: Any
    event_id: str | None  # the event applied at most once per document (None: no dedupe)
    decide: Callable[[Document], Any]
    rounds: int = 0
    alone: bool = False  # planned in a batch of its own (its document failed with others on it)
    fresh: bool = False  # planned on a read of the store, not on a remembered copy
    done: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


@dataclass
class Planned:
    """The merged write for one document and the callers it answers."""

    version: int
    doc: Document
    touched: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)  # paths to unset (expired inbox buckets)
    outcomes: list[tuple[Pending, bool]] = field(default_factory=list)
    entries: list[Any] = field(default_factory=list)
    size: int = 0  # BSON bytes of the document as it will be written
    remembered: bool = False  # planned on this process's copy of what it last wrote


Save = Callable[[Any, int, list[Any]], None]
Plan = Callable[[Planned, Pending], bool]


class GroupCommit:
    """Batches `Pending` changes on one collection; see the module docstring."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        *,
        plan: Plan,
        saved: Save,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        remember: int = 0,
    ) -> None:
        self._collection = collection
        self._max_bytes = max_document_bytes
        self._plan = plan
        self._saved = saved
        self._queue: list[Pending] = []
        self._flushing = False
        self._remember = remember
        self._written: collections.OrderedDict[Any, Document] = collections.OrderedDict()

    def delivered(self, key: Any, entry_keys: list[str]) -> None:
        """The relay published these outbox entries of `key` and removed them from the document."""
        copy = self._written.get(key)
        if copy is None or not copy.get("outbox"):
            return
        for entry_key in entry_keys:
            copy["outbox"].pop(entry_key, None)
        if not copy["outbox"]:
            copy.pop("outbox_pending", None)

    async def submit(self, item: Pending) -> bool:
        self._queue.append(item)
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._drain())
        return await item.done

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._next_batch()
                try:
                    await self._flush(batch)
                except Exception as error:  # noqa: BLE001 - every caller gets the error, none hangs
                    for item in batch:
                        if not item.done.done():
                            item.done.set_exception(error)
        finally:
            self._flushing = False

    def _next_batch(self) -> list[Pending]:
        """Up to MAX_BATCH callers; one planned alone goes in a batch of its own."""
        alone = next((item for item in self._queue if item.alone), None)
        if alone is not None:
            self._queue.remove(alone)
            return [alone]
        batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        return batch

    async def _flush(self, batch: list[Pending]) -> None:
        plans = await self._planned(batch)
        writes, broken = self._checked(
            [(key, plan) for key, plan in plans.items() if plan.touched or plan.removed]
        )
        lost, failed = await self._write(writes)
        broken |= {writes[i][0]: error for i, error in failed.items()}
        confirmed = set()
        for index, (key, plan) in enumerate(writes):
            if index not in lost and index not in failed:
                metrics.observe_document_size(self._collection.name, plan.size)
                confirmed.add(key)
                self._keep(key, plan)
                self._saved(key, plan.version + 1, plan.entries)
        retry = {writes[i][0] for i in lost}
        for key, plan in plans.items():
            unconfirmed = plan.remembered and key not in confirmed
            for item, applied in plan.outcomes:
                if item.done.done():
                    continue
                if unconfirmed:  # decided on a copy the store did not confirm: again on a fresh read
                    item.fresh = True
                    self._queue.append(item)
                elif key in broken and applied:
                    self._failed(item, plan, broken[key])
                elif key in retry and applied:
                    self._again(item)
                else:
                    item.done.set_result(applied)
        if retry:  # let the instance that won write on; then re-read and plan again
            await asyncio.sleep(random.uniform(0, 0.02))  # noqa: S311 - jitter, not security

    async def _planned(self, batch: list[Pending]) -> dict[Any, Planned]:
        """The batch's documents read once; every decision applied in order to the document read."""
        keys = list(dict.fromkeys(item.key for item in batch))
        fresh = {item.key for item in batch if item.fresh}
        copies = {k: self._written.pop(k) for k in keys if k in self._written and k not in fresh}
        self._forget(fresh)
        found = await self._read([k for k in keys if k not in copies])
        plans: dict[Any, Planned] = {}
        for item in batch:
            plan = plans.get(item.key)
            if plan is None:
                doc = copies.get(item.key) or found.get(item.key, {})
                # the document was read (or taken from the copies) for this batch alone: planned in place
                plan = plans[item.key] = Planned(
                    version=int(doc.get("version", 0)), doc=doc, remembered=item.key in copies
                )
            try:
                plan.outcomes.append((item, self._plan(plan, item)))
            except Exception as error:  # noqa: BLE001 - a bad decision fails its caller only
                if plan.remembered:  # perhaps refused for what the copy no longer shows
                    item.fresh = True
                    self._queue.append(item)
                else:
                    item.done.set_exception(error)
        return plans

    async def _read(self, keys: list[Any]) -> dict[Any, Document]:
        """The batch's documents by `_id`, one point read each, READ_CONCURRENCY at a time.

        Not one `find({"_id": {"$in": keys}})`: the embedded store answers only a lone `_id`
        equality from its primary key; `$in` (or any other filter) makes it scan and decode every
        document of the collection, a cost that grows with the collection (bench/README.md).
        """
        found: dict[Any, Document] = {}
        for start in range(0, len(keys), READ_CONCURRENCY):
            chunk = keys[start : start + READ_CONCURRENCY]
            docs = await asyncio.gather(*(self._collection.find_one({"_id": key}) for key in chunk))
            found.update((key, doc) for key, doc in zip(chunk, docs, strict=True) if doc is not None)
        return found

    def _keep(self, key: Any, plan: Planned) -> None:
        """Remember the document as this write left it (the newest `remember` documents)."""
        if not self._remember:
            return
        plan.doc["version"] = plan.version + 1
        self._written[key] = plan.doc
        while len(self._written) > self._remember:
            self._written.popitem(last=False)

    def _forget(self, keys: set[Any]) -> None:
        for key in keys:
            self._written.pop(key, None)

    def _checked(
        self, writes: list[tuple[Any, Planned]]
    ) -> tuple[list[tuple[Any, Planned]], dict[Any, Exception]]:
        """The writes whose document encodes within the size limit, and why the others cannot go."""
        kept, broken = [], {}
        for key, plan in writes:
            try:
                size = len(bson.encode({"_id": key, **plan.doc, "version": plan.version + 1}))
            except Exception as error:  # noqa: BLE001 - InvalidDocument, OverflowError...: this one only
                broken[key] = error
                continue
            if size > self._max_bytes:
                broken[key] = DocumentTooLargeError(size, self._max_bytes)
                continue
            plan.size = size
            kept.append((key, plan))
        return kept, broken

    def _failed(self, item: Pending, plan: Planned, error: Exception) -> None:
        """Fail a caller of a document that cannot be written; with company, retry each alone first."""
        applied = sum(1 for _, was in plan.outcomes if was)
        if applied > 1 and not item.alone:
            item.alone = True
            self._queue.append(item)
        elif not item.done.done():
            item.done.set_exception(error)

    def _again(self, item: Pending) -> None:
        item.rounds += 1
        if item.rounds >= MAX_ROUNDS:
            item.done.set_exception(ConcurrencyError(str(item.key)))
        else:
            self._queue.append(item)

    async def _write(self, writes: list[tuple[Any, Planned]]) -> tuple[set[int], dict[int, Exception]]:
        """Run the guarded updates; the indexes whose guard failed, and those that failed else."""
        if not writes:
            return set(), {}
        token = secrets.token_hex(8)
        operations = [
            UpdateOne({"_id": key}, guarded_update(plan, token), upsert=not plan.version)
            for key, plan in writes
        ]
        lost: set[int] = set()
        failed: dict[int, Exception] = {}
        result: Document
        try:
            result = dict((await self._collection.bulk_write(operations, ordered=False)).bulk_api_result)
        except BulkWriteError as error:
            result = dict(error.details)
            for e in result.get("writeErrors", []):
                if e.get("code") == DUPLICATE_KEY:  # another instance inserted it first
                    lost.add(e["index"])
                else:
                    failed[e["index"]] = WriteRefusedError(e.get("code"), e.get("errmsg", ""))
        if result.get("nUpserted", 0) + result.get("nModified", 0) < len(writes) - len(lost) - len(failed):
            inserted = {u["index"] for u in result.get("upserted", [])}
            unsure = [i for i in range(len(writes)) if i not in lost | failed.keys() | inserted]
            lost |= await self._not_written([writes[i][0] for i in unsure], unsure, token)
        return lost, failed

    async def _not_written(self, keys: list[Any], indexes: list[int], token: str) -> set[int]:
        """Of these writes (`keys` at `indexes`), those whose guard failed: no `token` in the document.

        Read only when the store reports fewer writes than were sent (another instance won one).
        A document that was ours and then rewritten by another instance also reads as lost: its
        callers are planned again and find their events applied.
        """
        docs = await asyncio.gather(
            *(self._collection.find_one({"_id": key}, {WRITE_FIELD: 1}) for key in keys)
        )
        return {i for i, doc in zip(indexes, docs, strict=True) if (doc or {}).get(WRITE_FIELD) != token}


def guarded_update(plan: Planned, token: str) -> list[Document]:
    """The guarded update pipeline: the planned paths written only if `version` is still the one read.

    On `_id` alone (the embedded store scans the whole collection for any other filter): a plan
    made on a version that is no longer current is written into an envelope that the last stage
    throws away, so the document is left as it was and the store reports it not modified.
    """
    current = {"$eq": [{"$ifNull": ["$version", 0]}, plan.version]}
    stages: list[Document] = [
        {"$replaceWith": {"$cond": [current, "$$ROOT", {_STALE: "$$ROOT"}]}},
        {"$set": {**_fields(plan), WRITE_FIELD: token}},
    ]
    removed = plan.removed - plan.touched
    if removed:
        stages.append({"$unset": sorted(removed)})
    stages.append({"$replaceWith": {"$ifNull": [f"${_STALE}", "$$ROOT"]}})
    return stages


def _fields(plan: Planned) -> Document:
    """Final values of every touched path (outermost paths only: MongoDB refuses overlaps).

    Each value is a `$literal`: in a pipeline a string such as "$x" would name a field.
    """
    paths = sorted(plan.touched)
    outer = [p for p in paths if not any(p.startswith(q + ".") for q in paths if q != p)]
    fields: Document = {path: {"$literal": get_path(plan.doc, path)} for path in outer}
    fields["version"] = plan.version + 1
    return fields


def get_path(doc: Document, path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value[part]
    return value


def set_path(doc: Document, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = value


def unset_path(doc: Document, path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.get(part) or {}
    doc.pop(last, None)


def inc_path(doc: Document, path: str, amount: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = doc.get(last, 0) + amount
