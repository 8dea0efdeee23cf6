"""The bounded leaderboard board equals the true top people, whatever order its updates arrive in."""

from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from services.rewards import leaderboard
from services.rewards.model import Board

PEOPLE = [f"19800101200501100{n}" for n in range(1, 10)]


class Shelf:
    """The one board document the interleaved rankings write."""

    def __init__(self) -> None:
        self.board = Board()


def ranking_steps(shelf: Shelf, earned: dict[str, int], nip: str) -> Any:
    """A grant's ranking as the service runs it: read the person's quarter total, later place it."""
    yield
    seen = earned[nip]
    yield
    outcome = leaderboard.place(shelf.board, nip, seen)
    if outcome is not None:
        shelf.board = outcome.state


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.integers(1, 5)), max_size=60), st.data())
def test_the_board_is_the_true_top_under_any_interleaving(grants: list[tuple[str, int]], data: Any) -> None:
    shelf = Shelf()
    earned = dict.fromkeys(PEOPLE, 0)
    with mock.patch.object(leaderboard, "TOP", 4):
        running: list[Any] = []
        for nip, points in grants:
            earned[nip] += points  # the booking commits, then its ranking runs concurrently with others
            running.append(ranking_steps(shelf, earned, nip))
            while running and data.draw(st.booleans()):
                step = running[data.draw(st.integers(0, len(running) - 1))]
                if next(step, StopIteration) is StopIteration:
                    running.remove(step)
        for step in running:
            for _ in step:
                pass
        expected = sorted(((n, p) for n, p in earned.items() if p), key=leaderboard.order)[:4]
        assert [(row.nip, row.points) for row in leaderboard.leaders(shelf.board, 10)] == expected


def test_ties_rank_by_nip_and_the_board_never_lowers_a_score() -> None:
    board = Board()
    for nip, points in ((PEOPLE[2], 10), (PEOPLE[0], 10), (PEOPLE[1], 30)):
        outcome = leaderboard.place(board, nip, points)
        assert outcome is not None
        board = outcome.state
    assert leaderboard.place(board, PEOPLE[1], 20) is None
    assert [row.nip for row in leaderboard.leaders(board, 10)] == [PEOPLE[1], PEOPLE[0], PEOPLE[2]]
    assert [row.rank for row in leaderboard.leaders(board, 2)] == [1, 2]
