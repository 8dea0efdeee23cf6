"""Rewards use cases on in-memory adapters: state and published events, no broker or store."""

import datetime as dt

import pytest

from services.rewards import handlers, ledger
from services.rewards.model import (
    KEEP,
    PAGE,
    Account,
    IdempotencyConflictError,
    InsufficientPointsError,
    board_id,
)
from shared.contract.calendar import Calendar
from tests.builders import a_reward_triggered, random_id, random_nip, wrapped
from tests.fakes import InMemoryAccounts, InMemoryBoards, InMemoryLedgerPages

NIP = random_nip()
WIB = Calendar()


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
        await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        account = await accounts.get(NIP)
        assert account is not None
        assert account.balance == 10
        assert [e.type for e in accounts.published] == ["RewardPointsGranted"]
        assert accounts.published[0].data.model_dump()["balance"] == 10

    async def test_ranks_from_the_booked_account_without_reading_it_again(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        """The account the booking decided on gives the quarter's points (issue 20: a read per grant less)."""

        async def no_second_read(nip: str, period: str) -> tuple[int, str | None]:
            raise AssertionError(f"earned read again for {nip} {period}")

        accounts.earned = no_second_read  # type: ignore[method-assign]
        for points in (10, 5):
            trigger = wrapped(a_reward_triggered(nip=NIP, points=points))
            await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        account = await accounts.get(NIP)
        assert account is not None
        period = next(iter(account.earned))
        for unit in (None, account.unit_id):
            board = await boards.get(board_id(period, unit))
            assert board is not None
            assert dict(board.top)[NIP] == 15

    async def test_redelivery_credits_once_and_resends_nothing_new(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        trigger = wrapped(a_reward_triggered(nip=NIP, points=10))
        for _ in range(3):
            await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        account = await accounts.get(NIP)
        assert account is not None
        assert (account.balance, account.seq) == (10, 1)
        assert len(accounts.published) == 1

    async def test_ranks_the_person_on_the_all_units_and_the_unit_board(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        trigger = wrapped(a_reward_triggered(nip=NIP, points=7, unit_id="kel-jomblang"))
        await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        period = WIB.quarter_of(dt.datetime.now(dt.UTC))
        for unit in (None, "kel-jomblang"):
            board = await boards.get(board_id(period, unit))
            assert board is not None
            assert board.top == [(NIP, 7)]

    async def test_a_cause_whose_entry_moved_to_a_page_is_not_booked_again(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        triggers = [wrapped(a_reward_triggered(nip=NIP, points=1)) for _ in range(PAGE + KEEP)]
        for trigger in triggers:
            await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        account = await accounts.get(NIP)
        assert account is not None
        assert account.archived == 1
        await handlers.grant_points(triggers[0], accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        again = await accounts.get(NIP)
        assert again is not None
        assert (again.balance, again.seq) == (PAGE + KEEP, PAGE + KEEP)


class TestRedeem:
    async def test_takes_points_once_per_key(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        await handlers.adjust(NIP, "seed", 30, "opening", accounts=accounts, pages=pages, calendar=WIB)
        first = await handlers.redeem(
            NIP, 10, "batik voucher", "k1", accounts=accounts, pages=pages, calendar=WIB
        )
        again = await handlers.redeem(
            NIP, 10, "batik voucher", "k1", accounts=accounts, pages=pages, calendar=WIB
        )
        assert first == again
        assert first.balance_after == 20
        assert [e.type for e in accounts.published] == ["RewardPointsGranted", "RewardRedeemed"]

    async def test_never_below_zero_and_the_answer_hides_the_balance(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        await handlers.adjust(NIP, "seed", 25, "opening", accounts=accounts, pages=pages, calendar=WIB)
        with pytest.raises(InsufficientPointsError) as refused:
            await handlers.redeem(NIP, 26, "mug", "k", accounts=accounts, pages=pages, calendar=WIB)
        assert "25" not in str(refused.value)
        account = await accounts.get(NIP)
        assert account is not None
        assert account.balance == 25

    async def test_a_key_used_for_another_request_is_refused(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        await handlers.adjust(NIP, "seed", 30, "opening", accounts=accounts, pages=pages, calendar=WIB)
        await handlers.redeem(NIP, 10, "mug", "k", accounts=accounts, pages=pages, calendar=WIB)
        with pytest.raises(IdempotencyConflictError):
            await handlers.redeem(NIP, 12, "mug", "k", accounts=accounts, pages=pages, calendar=WIB)


class TestHistory:
    async def test_pages_newest_first_across_archived_pages(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages
    ) -> None:
        for n in range(PAGE + KEEP + 5):
            await handlers.adjust(NIP, f"a{n}", 1, "steady", accounts=accounts, pages=pages, calendar=WIB)
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


class TestCorrections:
    async def test_a_negative_correction_is_its_own_entry_with_its_cause(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        nip, appraisal = random_nip(), random_id()
        granted = wrapped(a_reward_triggered(nip=nip, points=10, rule_id="appraisal_reward"))
        corrected = wrapped(
            a_reward_triggered(nip=nip, points=-10, rule_id="appraisal_correction", corrects=appraisal)
        )
        for trigger in (granted, corrected, corrected):
            await handlers.grant_points(trigger, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        account = await accounts.get(nip)
        assert account is not None
        entries = sorted(account.entries.values(), key=lambda e: e.seq)
        assert [(e.kind, e.points, e.balance_after) for e in entries] == [
            ("grant", 10, 10),
            ("correction", -10, 0),
        ]
        assert (entries[1].corrects, entries[1].cause, entries[1].shortfall) == (appraisal, corrected.id, 0)
        assert [e.data.model_dump()["points"] for e in accounts.published] == [10, -10]

    async def test_points_already_spent_are_taken_down_to_zero_and_the_rest_recorded(
        self, accounts: InMemoryAccounts, pages: InMemoryLedgerPages, boards: InMemoryBoards
    ) -> None:
        nip = random_nip()
        granted = wrapped(a_reward_triggered(nip=nip, points=30))
        await handlers.grant_points(granted, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        await handlers.redeem(nip, 25, "batik voucher", "k1", accounts=accounts, pages=pages, calendar=WIB)
        corrected = wrapped(
            a_reward_triggered(nip=nip, points=-20, rule_id="appraisal_correction", corrects="ev-1")
        )
        await handlers.grant_points(corrected, accounts=accounts, pages=pages, boards=boards, calendar=WIB)
        account = await accounts.get(nip)
        assert account is not None
        last = max(account.entries.values(), key=lambda e: e.seq)
        assert (account.balance, last.kind, last.points, last.shortfall) == (0, "correction", -5, 15)
        assert "15 points already spent" in last.reason


class TestProgrammeCalendar:
    @pytest.mark.parametrize(
        ("written", "quarter"),
        [
            ("2026-03-31T17:00:00Z", "2026-Q2"),  # 00:00 WIB on 1 April
            ("2026-04-01T06:59:00+07:00", "2026-Q2"),
            ("2026-04-01T01:00:00+09:00", "2026-Q1"),  # 23:00 WIB on 31 March
            ("2025-12-31T23:59:00Z", "2026-Q1"),  # 06:59 WIB on 1 January
        ],
    )
    def test_an_entry_belongs_to_the_quarter_of_its_date_in_the_programme_zone(
        self, written: str, quarter: str
    ) -> None:
        at = dt.datetime.fromisoformat(written)
        booking = ledger.grant_of(wrapped(a_reward_triggered(nip=NIP)), at)
        outcome = ledger.book(Account(), NIP, booking, archived=0, calendar=WIB)
        assert outcome is not None
        [entry] = outcome.state.entries.values()
        assert (entry.period, outcome.state.earned) == (quarter, {quarter: 10})

    def test_the_zone_is_the_programme_setting(self) -> None:
        at = dt.datetime.fromisoformat("2026-03-31T20:00:00Z")  # 1 April in Jakarta, 31 March in London
        booking = ledger.grant_of(wrapped(a_reward_triggered(nip=NIP)), at)
        outcome = ledger.book(Account(), NIP, booking, archived=0, calendar=Calendar("Europe/London"))
        assert outcome is not None
        assert [e.period for e in outcome.state.entries.values()] == ["2026-Q1"]
