"""The pure ledger: balance = ledger sum, never below zero, each cause once, under any interleaving."""

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutu.rewards import problems
from services.rewards import ledger
from services.rewards.model import Account, Booking, InsufficientPointsError, LedgerEntry, StaleArchiveError
from shared.contract.calendar import Calendar
from tests.builders import a_reward_triggered, random_nip, wrapped

NIP = random_nip()
AT = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)  # 2026-04-01 00:30 in Jakarta

WIB = Calendar()


class Store:
    """The account document and its pages, as the rewards service keeps them."""

    def __init__(self) -> None:
        self.account = Account()
        self.pages: dict[int, dict[str, LedgerEntry]] = {}

    def apply(self, outcome: Any) -> None:
        if outcome is not None:
            self.account = outcome.state

    def in_pages(self, slot: str) -> bool:
        return any(slot in page for page in self.pages.values())

    def all_entries(self) -> dict[int, LedgerEntry]:
        entries = {e.seq: e for page in self.pages.values() for e in page.values()}
        return entries | {e.seq: e for e in self.account.entries.values()}


def booking_steps(store: Store, booking: Booking) -> Any:
    """A booking as the service runs it, yielding between its store round trips."""
    archived = 0
    while True:
        if archived and store.in_pages(booking.slot):
            return
        yield
        try:
            store.apply(ledger.book(store.account, NIP, booking, archived=archived, calendar=WIB))
        except StaleArchiveError as stale:
            archived = stale.archived
            continue
        except InsufficientPointsError:
            return
        return


def archive_steps(store: Store) -> Any:
    plan = ledger.page_to_archive(store.account)
    if plan is None:
        return
    page, moving = plan
    store.pages.setdefault(page, {}).update(moving)
    yield
    store.apply(ledger.archive(store.account, page))


operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 30), st.integers(1, 50)),
    st.tuples(st.just("redeem"), st.integers(0, 30), st.integers(1, 80)),
    st.tuples(st.just("adjust"), st.integers(0, 10), st.integers(-60, 60).filter(bool)),
    st.tuples(st.just("archive"), st.just(0), st.just(0)),
)


def as_booking(kind: str, number: int, points: int) -> Booking:
    if kind == "grant":
        trigger = wrapped(a_reward_triggered(nip=NIP, points=points), event_id=f"trigger-{number}")
        return ledger.grant_of(trigger, AT)
    if kind == "redeem":
        return ledger.redemption_of(NIP, f"r{number}", points, "batik voucher", AT)
    return ledger.adjustment_of(NIP, f"a{number}", points, "correction", AT)


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, max_size=120), st.data())
def test_balance_is_the_ledger_sum_under_any_interleaving(ops: list[tuple[str, int, int]], data: Any) -> None:
    store = Store()
    with mock.patch.object(ledger, "PAGE", 4), mock.patch.object(ledger, "KEEP", 2):
        running = [
            archive_steps(store) if kind == "archive" else booking_steps(store, as_booking(kind, n, p))
            for kind, n, p in ops
        ]
        while running:
            step = running[data.draw(st.integers(0, len(running) - 1))]
            if next(step, StopIteration) is StopIteration:
                running.remove(step)
    entries = store.all_entries()
    assert problems(store.account, entries) == []
    assert store.account.balance == sum(e.points for e in entries.values()) >= 0
    assert len({e.cause for e in entries.values()}) == len(entries)
    granted = {f"trigger-{n}" for kind, n, _ in ops if kind == "grant"}
    assert {e.cause for e in entries.values() if e.kind == "grant"} == granted


def test_the_account_stays_bounded_as_pages_take_the_old_entries() -> None:
    store = Store()
    for number in range(1000):
        booking = ledger.adjustment_of(NIP, f"a{number}", 1, "steady", AT)
        store.apply(ledger.book(store.account, NIP, booking, archived=store.account.archived, calendar=WIB))
        for _ in archive_steps(store):
            pass
        assert len(store.account.entries) < ledger.PAGE + ledger.KEEP
    assert store.account.archived == 9
    assert problems(store.account, store.all_entries()) == []
    assert all(len(page) == ledger.PAGE for page in store.pages.values())


def test_the_same_trigger_books_once_and_counts_in_the_jakarta_quarter() -> None:
    booking = ledger.grant_of(wrapped(a_reward_triggered(nip=NIP, points=10, unit_id="kel-candi")), AT)
    first = ledger.book(Account(), NIP, booking, archived=0, calendar=WIB)
    assert first is not None
    account = first.state
    assert ledger.book(account, NIP, booking, archived=0, calendar=WIB) is None
    assert account.balance == 10
    assert account.earned == {"2026-Q2": 10}
    assert account.unit_id == "kel-candi"


def test_redemption_beyond_the_balance_is_refused() -> None:
    booking = ledger.grant_of(wrapped(a_reward_triggered(nip=NIP, points=10)), AT)
    first = ledger.book(Account(), NIP, booking, archived=0, calendar=WIB)
    assert first is not None
    with pytest.raises(InsufficientPointsError):
        ledger.book(first.state, NIP, ledger.redemption_of(NIP, "k", 11, "mug", AT), archived=0, calendar=WIB)


def test_a_booking_that_saw_fewer_archived_pages_looks_again() -> None:
    with pytest.raises(StaleArchiveError) as stale:
        ledger.book(
            Account(archived=2), NIP, ledger.adjustment_of(NIP, "a", 5, "x", AT), archived=1, calendar=WIB
        )
    assert stale.value.archived == 2


def test_redemptions_announce_reward_redeemed_and_grants_reward_points_granted() -> None:
    grant = ledger.grant_of(wrapped(a_reward_triggered(nip=NIP, points=10)), AT)
    first = ledger.book(Account(), NIP, grant, archived=0, calendar=WIB)
    assert first is not None
    second = ledger.book(
        first.state, NIP, ledger.redemption_of(NIP, "k", 4, "mug", AT), archived=0, calendar=WIB
    )
    assert second is not None
    assert [e.type for e in (*first.publish, *second.publish)] == ["RewardPointsGranted", "RewardRedeemed"]
    assert second.publish[0].data.model_dump()["balance"] == 6
    again = ledger.book(Account(), NIP, grant, archived=0, calendar=WIB)
    assert again is not None
    assert again.publish[0].id == first.publish[0].id
