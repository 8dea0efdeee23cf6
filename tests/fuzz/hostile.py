"""Hostile JSON built around a valid body: each case puts one attacker's value in one place.

Values no parser or store may crash on: nesting 10^5 deep, integers of 5,000 digits, 1 MB strings,
lone surrogates, NUL and other control characters, times at year 1 and 9999 with offsets,
duplicate keys, NaN/Infinity, and the loose types (`true`, `"8"`, `8.0`) strict fields refuse.
"""

import json
import random
from collections.abc import Iterator
from typing import Any

DEEP = "[" * 100_000 + "]" * 100_000
HEAVY = {"deep": DEEP, "huge-int": "9" * 5000, "1mb-string": json.dumps("x" * 1_000_000)}
LIGHT = {
    "negative-huge-int": "-" + "9" * 5000,
    "lone-surrogate": '"\\ud800"',
    "low-surrogate-in-text": '"ab\\udfffcd"',
    "nul": '"a\\u0000b"',
    "controls": '"\\u001b[2J\\u0085\\u007f"',
    "year-1-plus-14": '"0001-01-01T00:00:00+14:00"',
    "year-9999-minus-12": '"9999-12-31T23:59:59-12:00"',
    "nan": "NaN",
    "infinity": "1e999",
    "true": "true",
    "string-int": '"8"',
    "float-int": "8.0",
    "negative": "-1",
    "null": "null",
    "empty-object": "{}",
    "empty-array": "[]",
    "long-id": json.dumps("i" * 5000),
}
MARKER = "@@hostile@@"


def leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document a value can be swapped (the first item of each list)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from leaf_paths(child, (*prefix, key))
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from leaf_paths(value[0], (*prefix, 0))


def replaced(document: Any, path: tuple[Any, ...], raw: str) -> bytes:
    changed = json.loads(json.dumps(document))
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = MARKER
    return json.dumps(changed).replace(json.dumps(MARKER), raw).encode()


def whole_bodies(document: Any) -> dict[str, bytes]:
    text = json.dumps(document)
    first = next(iter(document)) if isinstance(document, dict) and document else "a"
    duplicate = text.replace("{", f'{{"{first}": null, ', 1) if isinstance(document, dict) else text
    return {
        "body-deep": DEEP.encode(),
        "body-huge-int": ("9" * 5000).encode(),
        "body-duplicate-key": duplicate.encode(),
        "body-array": f"[{text}, {text}]".encode(),
        "body-null": b"null",
        "body-trailing-garbage": (text + "]").encode(),
        "body-lone-surrogate": b'"\\udbff"',
    }


def cases(document: Any, *, limit: int, seed: int = 15) -> list[tuple[str, bytes]]:
    """Up to `limit` cases: every whole-body case, heavy values at a few places, light ones sampled."""
    paths = list(leaf_paths(document))
    rng = random.Random(seed)
    chosen = [(f"{name}", body) for name, body in whole_bodies(document).items()]
    for name, raw in HEAVY.items():
        chosen += [
            (f"{name}@{'.'.join(map(str, p))}", replaced(document, p, raw)) for p in rng.sample(paths, 2)
        ]
    light = [(f"{name}@{'.'.join(map(str, p))}", p, raw) for p in paths for name, raw in LIGHT.items()]
    rng.shuffle(light)
    chosen += [(label, replaced(document, p, raw)) for label, p, raw in light[: max(0, limit - len(chosen))]]
    return chosen
