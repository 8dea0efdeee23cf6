"""Behaviour every adapter of rewards' ports has; subclasses say how to build one (fake or Mongo)."""

import datetime as dt

from services.rewards import ledger
from services.rewards.model import PAGE, Board, LedgerEntry
from services.rewards.repository import Accounts, Boards, LedgerPages
from shared.contract.calendar import Calendar
from shared.persistence.state_store import Outcome
from tests.builders import random_id, random_nip

AT = dt.datetime(2026, 5, 2, 3, tzinfo=dt.UTC)

WIB = Calendar()


def an_entry(seq: int, points: int = 5) -> LedgerEntry:
    return LedgerEntry(
        entry_id=random_id("entry"),
        seq=seq,
        kind="grant",
        points=points,
        balance_after=points * seq,
        rule_id="training_high_score",
        reason="passed",
        cause=random_id("cause"),
        caused_by=(random_id(),),
        period="2026-Q2",
        at=AT,
    )


class AccountsContract:
    """`accounts` fixture: an empty Accounts adapter."""

    async def test_an_unknown_person_has_no_account(self, accounts: Accounts) -> None:
        assert await accounts.get(random_nip()) is None

    async def test_a_booking_is_read_back_whole(self, accounts: Accounts) -> None:
        nip = random_nip()
        booking = ledger.adjustment_of(nip, "seed", 12, "opening balance", AT)
        await accounts.update(
            nip, lambda account: ledger.book(account, nip, booking, archived=0, calendar=WIB)
        )
        account = await accounts.get(nip)
        assert account is not None
        assert (account.nip, account.balance, account.seq) == (nip, 12, 1)
        assert account.entries[booking.slot].reason == "opening balance"
        assert account.entries[booking.slot].at == AT

    async def test_a_decision_that_changes_nothing_writes_nothing(self, accounts: Accounts) -> None:
        nip = random_nip()
        await accounts.update(nip, lambda _: None)
        assert await accounts.get(nip) is None

    async def test_entries_that_leave_the_account_are_gone(self, accounts: Accounts) -> None:
        nip = random_nip()
        for n in range(3):
            booking = ledger.adjustment_of(nip, f"a{n}", 1, "steady", AT)
            await accounts.update(
                nip, lambda account, b=booking: ledger.book(account, nip, b, archived=0, calendar=WIB)
            )
        await accounts.update(
            nip, lambda account: ledger.archive(account.model_copy(update={"archived": 0}), 0)
        )
        account = await accounts.get(nip)
        assert account is not None
        assert account.archived == 1
        assert account.entries == {}

    async def test_earned_in_a_quarter_and_the_unit(self, accounts: Accounts) -> None:
        nip = random_nip()
        assert await accounts.earned(nip, "2026-Q2") == (0, None)
        booking = ledger.adjustment_of(nip, "x", 3, "r", AT).model_copy(
            update={"kind": "grant", "unit_id": "kel-candi"}
        )
        await accounts.update(
            nip, lambda account: ledger.book(account, nip, booking, archived=0, calendar=WIB)
        )
        assert await accounts.earned(nip, "2026-Q2") == (3, "kel-candi")

    async def test_all_lists_every_account(self, accounts: Accounts) -> None:
        nips = {random_nip() for _ in range(3)}
        for nip in nips:
            booking = ledger.adjustment_of(nip, "x", 1, "r", AT)
            await accounts.update(
                nip, lambda account, n=nip, b=booking: ledger.book(account, n, b, archived=0, calendar=WIB)
            )
        assert nips <= {account.nip async for account in accounts.all()}


class LedgerPagesContract:
    """`pages` fixture: an empty LedgerPages adapter."""

    async def test_a_saved_page_is_found_by_slot_and_by_number(self, pages: LedgerPages) -> None:
        nip = random_nip()
        entries = {f"slot{n}": an_entry(n) for n in range(1, 4)}
        await pages.save(nip, 0, entries)
        assert await pages.find(nip, "slot2") == entries["slot2"]
        assert await pages.find(nip, "other") is None
        assert await pages.find(random_nip(), "slot2") is None
        assert sorted(e.seq for e in await pages.entries(nip, [0, 5])) == [1, 2, 3]
        assert await pages.entries(nip, []) == []

    async def test_saving_a_page_twice_keeps_one_copy(self, pages: LedgerPages) -> None:
        nip = random_nip()
        entries = {"slot1": an_entry(1)}
        await pages.save(nip, 0, entries)
        await pages.save(nip, 0, entries)
        assert len([e async for n, e in pages.all() if n == nip]) == 1

    async def test_a_full_page_saved_twice_keeps_every_entry(self, pages: LedgerPages) -> None:
        """A second save of a full page (a tidy retried or run twice) failed on the SQLite store (a probe)."""
        nip = random_nip()
        entries = {f"slot{n}": an_entry(n) for n in range(1, PAGE + 1)}
        for _ in range(2):
            await pages.save(nip, 0, entries)
        assert sorted(e.seq for e in await pages.entries(nip, [0])) == list(range(1, PAGE + 1))


class BoardsContract:
    """`boards` fixture: an empty Boards adapter."""

    async def test_a_board_keeps_its_rows_in_order(self, boards: Boards) -> None:
        board_id = f"2026-Q2:{random_id('unit')}"
        assert await boards.get(board_id) is None
        await boards.update(board_id, lambda _: None)
        assert await boards.get(board_id) is None
        rows = [(random_nip(), 9), (random_nip(), 4)]
        await boards.update(board_id, lambda board: Outcome(board.model_copy(update={"top": rows})))
        assert await boards.get(board_id) == Board(top=rows)
