"""Rewards use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt

import pytest

from services.rewards import handlers, ledger
from services.rewards.model import (
    KEEP,
    PAGE,
    IdempotencyConflictError,
    InsufficientPointsError,
    board_id,
)
from tests.builders import a_reward_triggered, random_nip, wrapped
from tests.fakes import InMemoryAccounts, InMemoryBoards, InMemoryLedgerPages

NIP = random_nip()


@pytest.fixture
def accounts() -> InMemoryAccounts:
    return InMemoryAccounts()


@pytest.fixture
def pages() -> InMemoryLedgerPages:
    return InMemoryLedgerPages()


@pytest.fixture
def boards() -> InMemoryBoards:
    return InMemoryBoards()


class TestGrantPoints:
    async def test_credits_the_ledger_and_announces_it(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        trigger = wrapped(a_reward_triggered(nip=NIP, points=10))
        await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards)
        account = await accounts.get(NIP)
        assert account is not None
        assert account.balance == 10
        assert [e.type for e in accounts.published] == ["RewardPointsGranted"]
        assert accounts.published[0].data.model_dump()["balance"] == 10

    async def test_redelivery_credits_once_and_resends_nothing_new(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        trigger = wrapped(a_reward_triggered(nip=NIP, points=10))
        for _ in range(3):
            await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards)
        account = await accounts.get(NIP)
        assert account is not None
        assert (account.balance, account.seq) == (10, 1)
        assert len(accounts.published) == 1

    async def test_ranks_the_person_on_the_all_units_and_the_unit_board(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        trigger = wrapped(a_reward_triggered(nip=NIP, points=7, unit_id="kel-jomblang"))
        await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards)
        period = ledger.quarter_of(dt.datetime.now(dt.UTC))
        for unit in (None, "kel-jomblang"):
            board = await boards.get(board_id(period, unit))
            assert board is not None
            assert board.top == [(NIP, 7)]

    async def test_a_cause_whose_entry_moved_to_a_page_is_not_booked_again(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        triggers = [wrapped(a_reward_triggered(nip=NIP, points=1)) for _ in range(PAGE + KEEP)]
        for trigger in triggers:
            await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards)
        account = await accounts.get(NIP)
        assert account is not None
        assert account.archived == 1
        await handlers.grant_points(triggers[0], accounts=accounts, pages=pages, boards=boards)
        again = await accounts.get(NIP)
        assert again is not None
        assert (again.balance, again.seq) == (PAGE + KEEP, PAGE + KEEP)


class TestRedeem:
    async def test_takes_points_once_per_key(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        await handlers.adjust(NIP, "seed", 30, "opening", accounts=accounts, pages=pages)
        first = await handlers.redeem(NIP, 10, "batik voucher", "k1", accounts=accounts, pages=pages)
        again = await handlers.redeem(NIP, 10, "batik voucher", "k1", accounts=accounts, pages=pages)
        assert first == again
        assert first.balance_after == 20
        assert [e.type for e in accounts.published] == ["RewardPointsGranted", "RewardRedeemed"]

    async def test_never_below_zero_and_the_answer_hides_the_balance(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        await handlers.adjust(NIP, "seed", 25, "opening", accounts=accounts, pages=pages)
        with pytest.raises(InsufficientPointsError) as refused:
            await handlers.redeem(NIP, 26, "mug", "k", accounts=accounts, pages=pages)
        assert "25" not in str(refused.value)
        account = await accounts.get(NIP)
        assert account is not None
        assert account.balance == 25

    async def test_a_key_used_for_another_request_is_refused(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        await handlers.adjust(NIP, "seed", 30, "opening", accounts=accounts, pages=pages)
        await handlers.redeem(NIP, 10, "mug", "k", accounts=accounts, pages=pages)
        with pytest.raises(IdempotencyConflictError):
            await handlers.redeem(NIP, 12, "mug", "k", accounts=accounts, pages=pages)


class TestHistory:
    async def test_pages_newest_first_across_archived_pages(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        for n in range(PAGE + KEEP + 5):
            await handlers.adjust(NIP, f"a{n}", 1, "steady", accounts=accounts, pages=pages)
        seqs: list[int] = []
        before: int | None = None
        while True:
            account, entries = await handlers.history(NIP, 40, before, accounts=accounts, pages=pages)
            seqs += [e.seq for e in entries]
            if not entries or entries[-1].seq == 1:
                break
            before = entries[-1].seq
        assert seqs == list(range(account.seq, 0, -1))
        assert account.archived == 1
