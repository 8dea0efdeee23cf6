"""Points ledger decisions (pure): append-only entries per person; balance = their sum, never < 0.

Booking an entry, moving the balance, recording the cause and announcing it are one decision on
the person's `Account`, stored in one version-guarded update. Old entries move to page documents
a full page at a time once KEEP newer ones exist; a booking states how many pages it saw moved
when it looked for its cause there, so an entry that moved in between makes it look again
(StaleArchiveError) instead of booking the cause twice.
"""

import datetime as dt
from typing import Any

from services.rewards.model import (
    KEEP,
    PAGE,
    Account,
    Booking,
    InsufficientPointsError,
    LedgerEntry,
    StaleArchiveError,
)
from shared.contract import envelope, events
from shared.contract.calendar import Calendar
from shared.contract.identifiers import derived_id
from shared.persistence.state_store import Outcome

SOURCE = "urn:mutu:rewards"


def book(
    account: Account, nip: str, booking: Booking, *, archived: int, calendar: Calendar
) -> Outcome[Account] | None:
    """Append `booking` unless its cause is booked; refuse to go below zero.

    `archived` is the page count the caller saw when it checked the page documents for the cause;
    if more pages moved since, the cause may have left the account: StaleArchiveError. A correction
    that would go below zero takes the balance to zero and records the rest as its `shortfall`
    (the points were spent; Mutu keeps no debt). The entry's quarter is its date in `calendar`.
    """
    if account.archived != archived:
        raise StaleArchiveError(account.archived)
    if booking.slot in account.entries:
        return None
    points, shortfall, reason = booking.points, 0, booking.reason
    if booking.kind == "correction" and account.balance + points < 0:
        points, shortfall = -account.balance, -(account.balance + points)
        reason = f"{reason} ({shortfall} points already spent, not taken back)"[:200]
    balance = account.balance + points
    if balance < 0:
        raise InsufficientPointsError(account.balance, -booking.points)
    entry = LedgerEntry(
        entry_id=booking.entry_id,
        seq=account.seq + 1,
        kind=booking.kind,
        points=points,
        balance_after=balance,
        rule_id=booking.rule_id,
        reason=reason,
        cause=booking.cause,
        caused_by=booking.caused_by,
        period=calendar.quarter_of(booking.at),
        at=booking.at,
        corrects=booking.corrects,
        shortfall=shortfall,
    )
    earned = dict(account.earned)
    if booking.kind == "grant" or (booking.kind == "correction" and points > 0):  # earned only grows
        earned[entry.period] = earned.get(entry.period, 0) + points
    booked = account.model_copy(
        update={
            "nip": nip,
            "balance": balance,
            "seq": entry.seq,
            "entries": {**account.entries, booking.slot: entry},
            "earned": earned,
            "unit_id": booking.unit_id or account.unit_id,
        }
    )
    return Outcome(booked, [announce(nip, entry)])


def announce(nip: str, entry: LedgerEntry) -> envelope.CloudEvent[Any]:
    """RewardRedeemed for a redemption, RewardPointsGranted for any other entry (deterministic id)."""
    if entry.kind == "redemption":
        redeemed = events.RewardRedeemed(
            nip=nip,
            points=-entry.points,
            balance=entry.balance_after,
            item=entry.reason,
            redemption_id=entry.cause,
        )
        return envelope.wrap(redeemed, source=SOURCE, event_id=derived_id("redeemed", entry.entry_id))
    granted = events.RewardPointsGranted(
        nip=nip,
        points=entry.points,
        balance=entry.balance_after,
        rule_id=entry.rule_id,
        ledger_entry_id=entry.entry_id,
    )
    return envelope.wrap(granted, source=SOURCE, event_id=derived_id("granted", entry.entry_id))


def grant_of(trigger: envelope.CloudEvent[events.RewardTriggered], at: dt.datetime) -> Booking:
    """A RewardTriggered books once, keyed by its id (evaluation derives it from the rule key).

    One that `corrects` an earlier fact books as a `correction` entry (its points may be negative).
    """
    reward = trigger.data
    return Booking(
        cause=trigger.id,
        kind="grant" if reward.corrects is None else "correction",
        corrects=reward.corrects,
        points=reward.points,
        rule_id=reward.rule_id,
        reason=reward.reason,
        at=at,
        caused_by=tuple(reward.caused_by),
        unit_id=reward.unit_id,
    )


def redemption_of(nip: str, key: str, points: int, item: str, at: dt.datetime) -> Booking:
    cause = derived_id("redemption", nip, key)
    return Booking(cause=cause, kind="redemption", points=-points, rule_id="redemption", reason=item, at=at)


def adjustment_of(nip: str, key: str, points: int, reason: str, at: dt.datetime) -> Booking:
    """An administrator's correction: an entry of its own, never an edit of another."""
    cause = derived_id("adjustment", nip, key)
    return Booking(
        cause=cause, kind="adjustment", points=points, rule_id="manual_adjustment", reason=reason, at=at
    )


def page_to_archive(account: Account) -> tuple[int, dict[str, LedgerEntry]] | None:
    """The oldest full page of entries once KEEP newer ones exist: (page number, entries by slot)."""
    page = account.archived
    if account.seq < (page + 1) * PAGE + KEEP:
        return None
    low, high = page * PAGE, (page + 1) * PAGE
    return page, {slot: e for slot, e in account.entries.items() if low < e.seq <= high}


def archive(account: Account, page: int) -> Outcome[Account] | None:
    """Drop page `page` from the account (its entries were copied to the page document first)."""
    if account.archived != page:
        return None
    remaining = {slot: e for slot, e in account.entries.items() if e.seq > (page + 1) * PAGE}
    return Outcome(account.model_copy(update={"entries": remaining, "archived": page + 1}))
