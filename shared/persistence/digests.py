"""8-byte digests of ids and keys, kept side by side in one bytes value (inbox buckets, sealed keys)."""

import hashlib
from typing import Any

DIGEST = 8


def digest(value: str) -> bytes:
    return hashlib.blake2b(value.encode(), digest_size=DIGEST).digest()


def contains(blob: Any, mark: bytes) -> bool:
    """Whether `blob` (digests end to end) holds `mark` at a digest boundary."""
    data = bytes(blob or b"")
    found = data.find(mark)
    while found != -1:
        if found % DIGEST == 0:
            return True
        found = data.find(mark, found + 1)
    return False
