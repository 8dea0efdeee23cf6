"""Typed aggregate states: a pydantic model per document; the store derives the write from the change.

A service's model says what an aggregate holds (`State` subclasses) and decides with pure
functions `state -> Outcome(new state, events to publish)`. `StateStore` loads the document as
that model, runs the decision and turns the difference between the old and the new state into
`$set` paths for the group commit (shared/persistence/aggregates.py), which adds the inbox mark, the outbox
entries and the version guard. No service writes a field path.

Maps in a state are written per changed entry (`entries.<key>`), so their keys must be safe field
names: no `.`, no leading `$` (hash ids with `shared.contract.identifiers.field_key`).
A map that lost a key is written whole. Unknown fields of older documents are ignored and left as they are.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.contract import envelope
from shared.persistence.aggregates import Aggregates, Change
from shared.persistence.storage import Document

# Fields of a stored document that belong to the chassis, not to the state.
_CHASSIS = frozenset({"_id", "version", "inbox", "outbox", "outbox_pending"})
_MISSING = object()


class State(BaseModel):
    """Base of an aggregate's state: everything its document holds besides the chassis fields."""

    model_config = ConfigDict(extra="ignore", validate_assignment=False)


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
        return None if doc is None else self._model.model_validate(state_fields(doc))

    async def update(
        self, key: Any, decide: Callable[[S], Outcome[S] | None], *, event_id: str | None = None
    ) -> bool:
        """Apply `decide` to the current state (defaults when new); False if `event_id` was applied before."""

        def change(doc: Document) -> Change | None:
            before = self._model.model_validate(state_fields(doc))
            outcome = decide(before)
            if outcome is None:
                return None
            old, new = before.model_dump(), outcome.state.model_dump()
            return Change(set=difference(old, new), publish=outcome.publish)

        return await self._aggregates.apply(key, event_id, change)


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
