"""Typed aggregate states: a pydantic model per document; the store derives the write from the change.

A service's model says what an aggregate holds (`State` subclasses) and decides with pure
functions `state -> Outcome(new state, events to publish)`. `StateStore` loads the document as
that model, runs the decision and turns the difference between the old and the new state into
`$set` paths for the group commit (shared/persistence/aggregates.py), which adds the inbox mark, the outbox
entries and the version guard. No service writes a field path.

Maps in a state are written per changed entry (`entries.<key>`), so their keys must be safe field
names: no `.`, no leading `$` (hash ids with `shared.contract.identifiers.field_key`).
A map that lost a key is written whole. Unknown fields of older documents are ignored and left as they are.

History maps named in `State.sealed_maps` are stored with their older entries sealed in pages
(shared/persistence/sealed.py), so the store's work per write stays flat as history grows; the
state sees them whole. Adapters that read documents themselves turn them into states with `load`.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from shared.contract import envelope
from shared.persistence import sealed
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.group_commit import WRITE_FIELD
from shared.persistence.storage import Document

# Fields of a stored document that belong to the chassis, not to the state.
_CHASSIS = frozenset({"_id", "version", WRITE_FIELD, "inbox", "outbox", "outbox_pending", sealed.FIELD})
_MISSING = object()
SEALED_PAGE = 4  # entries a sealed page holds; a sealed map's open part keeps fewer than twice that


class State(BaseModel):
    """Base of an aggregate's state: everything its document holds besides the chassis fields.

    `sealed_maps`: history maps (field -> entries a page) whose older entries the store keeps
    sealed; `sealable` says which entries may be (default all: entries that no store query reads).
    """

    model_config = ConfigDict(extra="ignore", validate_assignment=False)
    sealed_maps: ClassVar[Mapping[str, int]] = {}

    @classmethod
    def sealable(cls, name: str, entry: Any) -> bool:  # noqa: ARG003 - a hook for subclasses
        return True


_Parts = dict[str, tuple[sealed.Pages, frozenset[str]]]


def load[S: State](model: type[S], doc: Document) -> S:
    """A stored document (or a projection of it) as the state `model`, sealed maps whole."""
    return _loaded(model, doc)[0]


def _loaded[S: State](model: type[S], doc: Document) -> tuple[S, _Parts]:
    fields, parts = state_fields(doc), {}
    for name in model.sealed_maps:
        pages = sealed.Pages.of(doc, name)
        entries = pages.entries()
        parts[name] = (pages, frozenset(entries))
        if entries:
            fields[name] = entries | dict(fields.get(name) or {})
    return model.model_validate(fields), parts


@dataclass(frozen=True)
class Outcome[S: State]:
    """A decision's result: the new state and the events that announce it (published once, in order)."""

    state: S
    publish: Sequence[envelope.CloudEvent[Any]] = ()


class UnsafeKeyError(ValueError):
    """A map key cannot be a field name (it holds `.` or starts with `$`)."""


class StateStore[S: State]:
    """Documents of one collection read and written as the state model `S`."""

    def __init__(self, aggregates: Aggregates, model: type[S]) -> None:
        self._aggregates = aggregates
        self._model = model

    async def get(self, key: Any) -> S | None:
        doc = await self._aggregates.get(key)
        return None if doc is None else load(self._model, doc)

    async def update(
        self, key: Any, decide: Callable[[S], Outcome[S] | None], *, event_id: str | None = None
    ) -> bool:
        """Apply `decide` to the current state (defaults when new); False if `event_id` was applied before."""

        def change(doc: Document) -> Change | None:
            before, parts = _loaded(self._model, doc)
            outcome = decide(before)
            if outcome is None:
                return None
            old, new = self._stored(before.model_dump(), outcome.state.model_dump(), parts, doc)
            return Change(set=difference(old, new), publish=outcome.publish)

        return await self._aggregates.apply(key, event_id, change)

    def _stored(
        self, old: Document, new: Document, parts: _Parts, doc: Document
    ) -> tuple[Document, Document]:
        """Both states as stored: each sealed map's open part, and the pages under `sealed`."""
        # pages of maps the model no longer seals stay as they are
        pages_before: Document = {k: v for k, v in (doc.get(sealed.FIELD) or {}).items() if k not in parts}
        pages_after: Document = dict(pages_before)
        for name, (pages, keys) in parts.items():
            old_map, limit = old.get(name) or {}, self._model.sealed_maps[name]
            open_part, pages_now = sealed.seal(
                new.get(name) or {},
                pages,
                {k: old_map[k] for k in keys},
                limit,
                functools.partial(self._model.sealable, name),
            )
            old[name] = {k: v for k, v in old_map.items() if k not in keys}
            new[name] = open_part
            if pages.pages:
                pages_before[name] = pages.stored()
            if pages.pages or pages_now.pages:
                pages_after[name] = pages_now.stored()
        if pages_before:
            old[sealed.FIELD] = pages_before
        if pages_after:
            new[sealed.FIELD] = pages_after
        return old, new


def state_fields(doc: Document) -> Document:
    return {k: v for k, v in doc.items() if k not in _CHASSIS}


def difference(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = "") -> Document:
    """The `$set` paths that turn `before` into `after` (maps that only gained or changed keys per key)."""
    paths: Document = {}
    for key, value in after.items():
        if key.startswith("$") or "." in key:
            raise UnsafeKeyError(f"{prefix}{key[:40]}")
        old = before.get(key, _MISSING)
        if old == value:
            continue
        if isinstance(value, dict) and isinstance(old, dict) and old.keys() <= value.keys():
            paths |= difference(old, value, f"{prefix}{key}.")
        else:
            paths[f"{prefix}{key}"] = value
    return paths
