"""The errors a caller can act on, one class per HTTP answer; shared/web.py maps them in one place."""


class MutuError(Exception):
    """Base for errors a caller can act on; never raised for bugs."""

    status = 400


class NotFoundError(MutuError):
    """The thing asked for does not exist: 404."""

    status = 404


class ConflictError(MutuError):
    """The request contradicts the current state (already used, full, below zero): 409."""

    status = 409


class InvalidError(MutuError):
    """The request is well-formed but not acceptable: 422 with the reason."""

    status = 422
