"""The errors a caller can act on, one class per HTTP answer, mapped in one place (shared/web)."""

from collections.abc import Mapping, Sequence
from typing import Any


class MutuError(Exception):
    """Base for errors a caller can act on; never raised for bugs."""

    status = 400
    # Field-level reasons ({loc, msg, type}, never the input): the HTTP answer's `detail` when given.
    reasons: tuple[Mapping[str, Any], ...] = ()


class NotFoundError(MutuError):
    """The thing asked for does not exist: 404."""

    status = 404


class ConflictError(MutuError):
    """The request contradicts the current state (already used, full, below zero): 409."""

    status = 409


class InvalidError(MutuError):
    """The request is well-formed but not acceptable: 422 with the reason (or field-level reasons)."""

    status = 422

    def __init__(self, message: str, *, reasons: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.reasons = tuple(reasons)
