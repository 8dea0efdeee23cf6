"""Leaderboard boards (pure): the top people of one (quarter, unit), kept incrementally.

A board document `<YYYY-Qn>:<unit or *>` holds `top`: at most TOP rows `[nip, points]` ordered by
points descending, then NIP ascending. Points earned in a quarter only grow (redemptions and
adjustments do not count), so a person who falls off the board can only come back by earning
more, which places them again: the bounded board stays exact without scanning anyone.
"""

from typing import Any

from shared.aggregates import Change
from shared.storage import Document

TOP = 100
ALL_UNITS = "*"


def board_id(period: str, unit_id: str | None) -> str:
    return f"{period}:{unit_id or ALL_UNITS}"


def order(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]


def place(doc: Document, nip: str, earned: int) -> Change | None:
    """Put `nip` on the board with `earned` points (never lowering it); None when nothing changes."""
    rows = [(str(n), int(p)) for n, p in doc.get("top", [])]
    current = dict(rows)
    if earned <= 0 or current.get(nip, 0) >= earned:
        return None
    ranked = sorted([row for row in rows if row[0] != nip] + [(nip, earned)], key=order)[:TOP]
    if nip not in dict(ranked):
        return None
    return Change(set={"top": [[n, p] for n, p in ranked]})


def leaders(doc: Document | None, limit: int) -> list[dict[str, Any]]:
    rows = sorted(((str(n), int(p)) for n, p in (doc or {}).get("top", [])), key=order)
    return [{"rank": i + 1, "nip": nip, "points": points} for i, (nip, points) in enumerate(rows[:limit])]
