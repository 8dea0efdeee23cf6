"""Rewards use cases as async verbs: grant, redeem, adjust, and the ledger history read."""

import asyncio
import datetime as dt
import logging

from services.rewards import leaderboard, ledger, metrics
from services.rewards.model import (
    KEEP,
    PAGE,
    Account,
    Booking,
    IdempotencyConflictError,
    LedgerEntry,
    StaleArchiveError,
    board_id,
    page_of,
)
from services.rewards.repository import Accounts, Boards, LedgerPages
from shared.contract import envelope, events
from shared.contract.calendar import Calendar
from shared.persistence.state_store import Outcome

logger = logging.getLogger(__name__)
MAX_LOOKS = 20


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def grant_points(
    trigger: envelope.CloudEvent[events.RewardTriggered],
    *,
    accounts: Accounts,
    pages: LedgerPages,
    boards: Boards,
    calendar: Calendar,
) -> None:
    """Book the trigger once and rank the person (also on a redelivery: the ranking may be missing).

    A correction that takes points back moves the balance, not the quarter's earned points (the
    leaderboard's points only grow; see leaderboard.py), like an adjustment.
    """
    nip = trigger.data.nip
    booking = ledger.grant_of(trigger, _now())
    entry, booked, account = await _book(nip, booking, accounts=accounts, pages=pages, calendar=calendar)
    if booked:
        counter = metrics.POINTS_GRANTED if entry.points >= 0 else metrics.POINTS_TAKEN_BACK
        counter.labels(entry.rule_id).inc(abs(entry.points))
        logger.info("booked %+d points rule=%s entry=%s", entry.points, entry.rule_id, entry.entry_id)
    # The account as this booking left it (or found it, booked before): no second read. A booking
    # of the same person racing this one places its own, higher, total; `place` never lowers one.
    if account is None:  # found in an archived page: the account was not read
        earned, unit_id = await accounts.earned(nip, entry.period)
    else:
        earned, unit_id = account.earned.get(entry.period, 0), account.unit_id
    ids = {board_id(entry.period, unit) for unit in (None, unit_id)}
    await asyncio.gather(
        *(boards.update(b, lambda board: leaderboard.place(board, nip, earned)) for b in ids)
    )


async def redeem(
    nip: str, points: int, item: str, key: str, *, accounts: Accounts, pages: LedgerPages, calendar: Calendar
) -> LedgerEntry:
    """Take points for an item once per key; InsufficientPointsError when the balance is too low."""
    booking = ledger.redemption_of(nip, key, points, item, _now())
    return _same(booking, *await book(nip, booking, accounts=accounts, pages=pages, calendar=calendar))


async def adjust(
    nip: str,
    key: str,
    points: int,
    reason: str,
    *,
    accounts: Accounts,
    pages: LedgerPages,
    calendar: Calendar,
) -> LedgerEntry:
    """An administrator's correction as a ledger entry, once per adjustment id, never below zero."""
    booking = ledger.adjustment_of(nip, key, points, reason, _now())
    return _same(booking, *await book(nip, booking, accounts=accounts, pages=pages, calendar=calendar))


def _same(booking: Booking, entry: LedgerEntry, _: bool) -> LedgerEntry:
    if entry.points != booking.points or entry.reason != booking.reason:
        msg = "this idempotency key was used for a different request"
        raise IdempotencyConflictError(msg)
    return entry


async def book(
    nip: str, booking: Booking, *, accounts: Accounts, pages: LedgerPages, calendar: Calendar
) -> tuple[LedgerEntry, bool]:
    """The entry of `booking` and whether this call booked it (False: booked before).

    A cause is booked if its entry is on the account or in one of the person's pages; see ledger.py
    for why a booking that raced an archiving looks at the pages again.
    """
    entry, fresh, _ = await _book(nip, booking, accounts=accounts, pages=pages, calendar=calendar)
    return entry, fresh


async def _book(
    nip: str, booking: Booking, *, accounts: Accounts, pages: LedgerPages, calendar: Calendar
) -> tuple[LedgerEntry, bool, Account | None]:
    """`book`, and the account as the booking left it (as found, when booked before; None: not read)."""
    archived = 0
    for _ in range(MAX_LOOKS):
        if archived and (found := await pages.find(nip, booking.slot)) is not None:
            return found, False, None
        decide = _Booking(nip, booking, archived, calendar)
        try:
            await accounts.update(nip, decide)
        except StaleArchiveError as stale:
            archived = stale.archived
            continue
        entry, fresh = decide.result
        if not fresh:
            return entry, False, decide.account
        if entry.seq >= (archived + 1) * PAGE + KEEP:
            await tidy(nip, accounts=accounts, pages=pages)
        return entry, True, decide.account
    msg = f"archive of {nip} kept moving"
    raise RuntimeError(msg)


class _Booking:
    """One booking decision; remembers the entry and whether its last run booked it."""

    def __init__(self, nip: str, booking: Booking, archived: int, calendar: Calendar) -> None:
        self.nip, self.booking, self.archived, self.calendar = nip, booking, archived, calendar
        self.result: tuple[LedgerEntry, bool]
        self.account: Account

    def __call__(self, account: Account) -> Outcome[Account] | None:
        outcome = ledger.book(account, self.nip, self.booking, archived=self.archived, calendar=self.calendar)
        booked = outcome.state if outcome is not None else account
        self.result = (booked.entries[self.booking.slot], outcome is not None)
        self.account = booked
        return outcome


async def tidy(nip: str, *, accounts: Accounts, pages: LedgerPages) -> None:
    """Move the oldest full page of entries to its page document, then off the account."""
    plan = ledger.page_to_archive(await accounts.get(nip) or Account())
    if plan is None:
        return
    page, moving = plan
    await pages.save(nip, page, moving)
    await accounts.update(nip, lambda account: ledger.archive(account, page))


async def history(
    nip: str, limit: int, before: int | None, *, accounts: Accounts, pages: LedgerPages
) -> tuple[Account, list[LedgerEntry]]:
    """The account and up to `limit` entries with seq < `before`, newest first (one page read)."""
    account = await accounts.get(nip) or Account(nip=nip)
    top = account.seq if before is None else min(before - 1, account.seq)
    wanted = range(top, max(top - limit, 0), -1)
    found = {e.seq: e for e in account.entries.values()}
    missing = {page_of(s) for s in wanted if s not in found}
    found |= {e.seq: e for e in await pages.entries(nip, missing)}
    return account, [found[s] for s in wanted if s in found]
