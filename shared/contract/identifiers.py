"""Deterministic ids: the same cause always yields the same id, so retries republish, not duplicate."""

import hashlib
import uuid

NAMESPACE = uuid.UUID("5b7c3f2e-8f0a-4c1e-9d6b-2a4e6f8d1c3b")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def field_key(value: str) -> str:
    """A key safe to use inside a field path (ids may contain '.' or '$')."""
    return hashlib.blake2b(value.encode(), digest_size=10).hexdigest()
