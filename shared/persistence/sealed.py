"""Sealed pages: a state's history map kept in its document as a few opaque blobs, not as nodes.

A history map (a person's completions, trainings, firings, ledger entries) grows with every
event, and a store that copies, validates and encodes the whole document per operation (the
embedded store does: bench/README.md) pays for every entry on every event, so the pipeline slows
as people gain history. Sealing keeps the per-operation cost flat: once a map's open part holds
`2 * limit` entries, its oldest `limit` sealable entries are encoded as one BSON blob (a page)
under `sealed.<field>.pages`, with an 8-byte digest of each key in `sealed.<field>.keys`. The store
moves a page as one bytes value; the open part stays below `2 * limit` entries (plus those the
state does not let be sealed). The services still decode and validate the whole map per
decision, which costs microseconds per entry; the store's copy was what grew.

The state model never sees the difference: the state store (shared/persistence/state_store.py)
puts the pages back into the map (oldest first) when it loads a document, and `seal` splits the
map again when it writes one. The digests let the inbox recognise an event whose natural key was
sealed without decoding a page (shared/persistence/inbox.py). A page is written once; should a
sealed entry change or leave the map (rewards' ledger moves old pages out), the field's pages are
rebuilt from the map.

What sealing does not change: the document's bytes. They still grow with the history they hold
(a training record with its year, evaluation's person with its career; rewards moves old ledger
pages to documents of their own), and the group commit still refuses a document over
MAX_DOCUMENT_BYTES. Real MongoDB rewrites a document by its bytes, so pages cost it nothing extra.

What a sealed entry is not: visible to store queries and projections of the map's fields. Only
maps read whole (through the state, or `merged` on a projection of `projection(field)`) are sealed,
and a state keeps what its queries need in the open part (`State.sealable`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import bson
from bson.codec_options import CodecOptions

from shared.persistence.digests import contains, digest
from shared.persistence.storage import Document

FIELD = "sealed"  # top-level field of the document: {<map field>: {"pages": [...], "keys": ...}}
_CODEC: CodecOptions[Document] = CodecOptions(tz_aware=True)


@dataclass
class Pages:
    """The sealed part of one map as stored: pages (BSON blobs, oldest first) and their keys' digests."""

    pages: list[bytes] = field(default_factory=list)
    keys: bytes = b""

    @classmethod
    def of(cls, doc: Mapping[str, Any], name: str) -> "Pages":
        raw = (doc.get(FIELD) or {}).get(name) or {}
        return cls([bytes(p) for p in raw.get("pages") or ()], bytes(raw.get("keys") or b""))

    def entries(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for page in self.pages:
            found.update(bson.decode(page, _CODEC))
        return found

    def stored(self) -> Document:
        return {"pages": self.pages, "keys": self.keys}

    def add(self, page: Mapping[str, Any]) -> None:
        self.pages.append(bson.encode(page))
        self.keys += b"".join(digest(key) for key in page)


def projection(name: str) -> Document:
    """The projection that reads map `name` with its sealed pages (for `merged`)."""
    return {name: 1, f"{FIELD}.{name}": 1}


def merged(doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Map `name` of a stored document whole: its sealed entries (oldest first), then the open ones."""
    return Pages.of(doc, name).entries() | dict(doc.get(name) or {})


def holds(doc: Mapping[str, Any], key: str) -> bool:
    """Whether one of the document's sealed maps holds `key` (a natural key sealed away)."""
    mark = digest(key)
    return any(contains(raw.get("keys"), mark) for raw in (doc.get(FIELD) or {}).values())


def seal(
    new: Mapping[str, Any],
    pages: Pages,
    sealed_before: Mapping[str, Any],
    limit: int,
    sealable: Callable[[Any], bool],
) -> tuple[dict[str, Any], Pages]:
    """Split the map `new` (dumped) into its open part and its pages, `limit` entries a page.

    `sealed_before` holds the entries the pages held when read (dumped like `new`): if one of them
    changed or left the map, the pages are rebuilt from `new`.
    """
    if any(key not in new or new[key] != value for key, value in sealed_before.items()):
        pages, sealed_before = Pages(), {}
    else:
        pages = Pages(list(pages.pages), pages.keys)
    open_part = {k: v for k, v in new.items() if k not in sealed_before}
    while len(open_part) >= 2 * limit:
        chosen = [k for k, v in open_part.items() if sealable(v)][:limit]
        if len(chosen) < limit:
            break
        pages.add({k: open_part[k] for k in chosen})
        for key in chosen:
            del open_part[key]
    return open_part, pages
