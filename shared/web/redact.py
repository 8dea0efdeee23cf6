"""Keeping personal data and secrets out of logs and client answers.

NIPs and ticket codes (in `/t/{code}` paths: a code is a single-use secret) are masked; validation
input is never echoed.
"""

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

# A NIP is 18 digits; any run of 16 or more digits is masked, so near-NIPs and typos are covered too.
_DIGIT_RUN = re.compile(r"(?<!\d)\d{16,}(?!\d)")
# A service ticket's code in its form's path (survey: /t/{code}, 32 URL-safe characters); an
# access-log line would otherwise let anyone who reads the log redeem an unused ticket.
_TICKET_PATH = re.compile(r"(?<=/t/)[A-Za-z0-9_-]{16,}")
MASK = "[redacted]"
_MAX_TEXT = 300
# pydantic messages that quote the input; replaced by a fixed wording.
_QUOTING = {"union_tag_invalid": "Input tag does not match any of the expected tags"}


def text(value: str) -> str:
    """The string with every NIP-like digit run and ticket code masked."""
    return _TICKET_PATH.sub(MASK, _DIGIT_RUN.sub(MASK, value))


def scrub(value: Any) -> Any:
    """A JSON-safe copy of `value` with NIP-like digit runs masked in every string (keys too)."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, Mapping):
        return {scrub(str(k)): scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return MASK
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return text(json.dumps(value, default=str)[:_MAX_TEXT])


def validation_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Field-level reasons for a client: location, message and type; never `input`, `ctx` or `url`.

    Locations may hold names the client sent (an unknown field's key): they are masked and cut short.
    """
    return [
        {
            "loc": [_location(part) for part in error.get("loc", ())],
            "msg": text(_QUOTING.get(str(error.get("type")), str(error.get("msg", "")))[:_MAX_TEXT]),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


def _location(part: object) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    return text(str(part))[:64]


def detail(value: Any) -> Any:
    """An HTTP error `detail` made safe: validation-error lists cleaned, everything else scrubbed."""
    if isinstance(value, (list, tuple)) and all(isinstance(e, Mapping) and "loc" in e for e in value):
        return validation_errors(value)
    return scrub(value)
