"""Leaderboard boards (pure): the top people of one (quarter, unit), kept incrementally.

A board holds at most TOP rows (nip, points) ordered by points descending, then NIP ascending.
Points earned in a quarter only grow (redemptions and adjustments do not count), so a person who
falls off the board can only come back by earning more, which places them again: the bounded
board stays exact without scanning anyone.
"""

from pydantic import BaseModel

from services.rewards.model import TOP, Board
from shared.persistence.state_store import Outcome


class Leader(BaseModel):
    rank: int
    nip: str
    points: int


def order(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]


def place(board: Board, nip: str, earned: int) -> Outcome[Board] | None:
    """Put `nip` on the board with `earned` points (never lowering it); None when nothing changes."""
    current = dict(board.top)
    if earned <= 0 or current.get(nip, 0) >= earned:
        return None
    ranked = sorted([row for row in board.top if row[0] != nip] + [(nip, earned)], key=order)[:TOP]
    if nip not in dict(ranked):
        return None
    return Outcome(board.model_copy(update={"top": ranked}))


def leaders(board: Board | None, limit: int) -> list[Leader]:
    rows = sorted(board.top if board else [], key=order)
    return [Leader(rank=i + 1, nip=nip, points=points) for i, (nip, points) in enumerate(rows[:limit])]
