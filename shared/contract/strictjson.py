"""The one JSON reader for outside input: total (any failure is NotJsonError), strict and bounded.

Python's `json.loads` raises RecursionError on deep nesting and ValueError on integers over
4,300 digits, accepts NaN and Infinity, keeps the last of duplicate keys and lets lone surrogates
(an escaped code unit D800-DFFF without its pair) through, which later fail to encode for the
store or the bus. Here all of those are refused with one error type, so every parse point answers
400 or dead-letters as `invalid`.
"""

import json
import re
from typing import Any

MAX_DEPTH = 64  # no accepted document nests deeper than a handful of levels
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # the only way a surrogate gets into UTF-8 JSON


class NotJsonError(ValueError):
    """The bytes are not JSON we accept; the message says why without echoing them."""


def _no_constants(name: str) -> Any:
    msg = f"{name} is not JSON"
    raise NotJsonError(msg)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        msg = "duplicate key in a JSON object"
        raise NotJsonError(msg)
    return result


_CONTAINERS = (dict, list)


def _depth(value: Any) -> int:
    """How deep containers nest (iterative: a deep value cannot exhaust the stack here)."""
    if type(value) not in _CONTAINERS:
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if type(node) is dict else node
        stack.extend([(child, depth + 1) for child in children if type(child) in _CONTAINERS])
    return deepest


def loads(body: bytes) -> Any:
    """Decode UTF-8 JSON; NotJsonError for anything else (see the module docstring)."""
    try:
        # Decoded here, strictly: json.loads would take UTF-16/32 and a BOM by sniffing bytes, and
        # UTF-8-encoded surrogates ("surrogatepass"). A BOM left as U+FEFF is refused by json.loads.
        value = json.loads(body.decode("utf-8"), object_pairs_hook=_unique, parse_constant=_no_constants)
    except NotJsonError:
        raise
    except (ValueError, RecursionError, TypeError):  # JSONDecodeError, UnicodeDecodeError, digit limit
        msg = "not valid JSON"
        raise NotJsonError(msg) from None
    if _SURROGATE_ESCAPE.search(body):  # pairs decode to one character; lone halves stay
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            msg = "JSON text holds a lone surrogate (not valid Unicode)"
            raise NotJsonError(msg) from None
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _depth(value) > MAX_DEPTH:
        msg = f"JSON nested deeper than {MAX_DEPTH} levels"
        raise NotJsonError(msg)
    return value
