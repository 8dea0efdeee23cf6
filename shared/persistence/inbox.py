"""The inbox of an aggregate document: which events it already applied, kept only as long as needed.

An event is applied at most once per document, decided in one of two ways:

- Natural key: an event whose effect is stored under its own id (`completions.<field_key(id)>`,
  `trainings.<field_key(id)>`, `statements.<field_key(id)>`) is its own dedupe: a document whose
  top-level map holds that key applied the event, whenever it comes back. No inbox mark is written
  for it, so such documents grow only with their effects.
- Inbox mark: any other event (a counter it adds to, a tally) leaves an 8-byte digest of its id in
  the day's bucket `inbox.d<YYYYMMDD>` (one binary field per day, 8 bytes per event, not a field
  per id). Buckets older than the retention window (INBOX_RETENTION_DAYS, 30 by default) are
  removed by the next write of the document. Within the window a redelivered or resent event
  changes nothing; after it, a resend of such an event would apply again.

What the window protects: broker redeliveries (seconds to minutes: a crash before the ack, a
failed handler retried), outbox republishes after a crash or a broker outage (the sweeper, within
seconds of the broker's return), a second instance racing on one document, and an operator
replaying a dead letter within the window (a message dead-lettered after a partial effect must be
replayed before its marks expire). A resend of the same event weeks later is protected only where
a natural key protects it: a training completion (HTTP or xAPI) is counted once, forever (see
tests/integration/test_aggregates.py); a survey response is kept under its response_id, so its
resend publishes nothing. Per-period documents whose inbox is the only guard of a count reached
over HTTP (survey's summaries: a resent response is counted again in them otherwise) keep their
ids for the document's life (`Runtime.aggregates(..., keep_ids=True)`); they are bounded by the
period instead.

A natural key whose entry was sealed (shared/persistence/sealed.py) is found by its 8-byte digest
in `sealed.<map>.keys`, kept as long as the entry: forever, like the entry itself.

Digest collisions: 64 bits; two of the at most millions of ids inside one document's window
collide with a probability under 1e-7.
"""

import datetime as dt
from typing import Any

from shared.persistence import sealed
from shared.persistence.digests import contains, digest
from shared.persistence.storage import Document

PREFIX = "d"  # day buckets: d20261129; older documents hold one `<field_key>: <datetime>` per id
RETENTION = dt.timedelta(days=30)


def bucket(now: dt.datetime) -> str:
    return f"{PREFIX}{now:%Y%m%d}"


def applied(doc: Document, event_id: str, key: str) -> bool:
    """True if `doc` already applied the event (`key` is its field_key): natural key or inbox mark."""
    for name, value in doc.items():
        if name in ("inbox", "outbox", sealed.FIELD):
            continue
        if isinstance(value, dict) and key in value:
            return True
    if sealed.holds(doc, key):
        return True
    inbox = doc.get("inbox")
    if not inbox:
        return False
    if key in inbox:  # the per-id marks older documents carry
        return True
    mark = digest(event_id)
    return any(contains(blob, mark) for name, blob in inbox.items() if _is_bucket(name, blob))


def natural(paths: dict[str, Any], key: str) -> bool:
    """True if a change stores its effect under the event's own key in a top-level map."""
    for path, value in paths.items():
        parts = path.split(".")
        if len(parts) == 2 and parts[1] == key:  # noqa: PLR2004 - <map>.<key>
            return True
        if len(parts) == 1 and isinstance(value, dict) and key in value:
            return True
    return False


def expired(doc: Document, now: dt.datetime, retention: dt.timedelta = RETENTION) -> list[str]:
    """Inbox fields (`inbox.<name>`) older than the retention window."""
    inbox = doc.get("inbox") or {}
    oldest_day = bucket(now - retention)
    cutoff = now - retention
    old = []
    for name, value in inbox.items():
        if _is_bucket(name, value):
            if name < oldest_day:
                old.append(f"inbox.{name}")
        elif isinstance(value, dt.datetime) and _aware(value) < cutoff:
            old.append(f"inbox.{name}")
    return old


def marked(doc: Document, event_id: str, now: dt.datetime) -> tuple[str, bytes]:
    """The path and new value of today's bucket with the event's digest added."""
    name = bucket(now)
    before = (doc.get("inbox") or {}).get(name, b"")
    return f"inbox.{name}", bytes(before) + digest(event_id)


def _is_bucket(name: str, value: Any) -> bool:
    """A day bucket, not a per-id mark of an older document (those are hex keys, some start with d)."""
    return len(name) == len(PREFIX) + 8 and name.startswith(PREFIX) and isinstance(value, bytes)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
