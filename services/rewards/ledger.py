"""Points ledger decisions (pure): append-only entries per person; balance = their sum, never < 0.

Booking an entry, moving the balance, recording the cause and announcing it are one decision on
the person's `Account`, stored in one version-guarded update. Old entries move to page documents
a full page at a time once KEEP newer ones exist; a booking states how many pages it saw moved
when it looked for its cause there, so an entry that moved in between makes it look again
(StaleArchiveError) instead of booking the cause twice.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from services.rewards.model import (
    KEEP,
    PAGE,
    Account,
    Booking,
    InsufficientPointsError,
    LedgerEntry,
    StaleArchiveError,
)
from shared import envelope, events
from shared.identifiers import derived_id
from shared.persistence.state_store import Outcome

SOURCE = "urn:mutu:rewards"
JAKARTA = ZoneInfo("Asia/Jakarta")


def quarter_of(moment: dt.datetime) -> str:
    local = moment.astimezone(JAKARTA)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def book(account: Account, nip: str, booking: Booking, *, archived: int) -> Outcome[Account] | None:
    """Append `booking` unless its cause is booked; refuse to go below zero.

    `archived` is the page count the caller saw when it checked the page documents for the cause;
    if more pages moved since, the cause may have left the account: StaleArchiveError.
    """
    if account.archived != archived:
        raise StaleArchiveError(account.archived)
    if booking.slot in account.entries:
        return None
    balance = account.balance + booking.points
    if balance < 0:
        raise InsufficientPointsError(account.balance, -booking.points)
    entry = LedgerEntry(
        entry_id=booking.entry_id,
        seq=account.seq + 1,
        kind=booking.kind,
        points=booking.points,
        balance_after=balance,
        rule_id=booking.rule_id,
        reason=booking.reason,
        cause=booking.cause,
        caused_by=booking.caused_by,
        period=quarter_of(booking.at),
        at=booking.at,
    )
    earned = dict(account.earned)
    if booking.kind == "grant":
        earned[entry.period] = earned.get(entry.period, 0) + booking.points
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
    """A RewardTriggered books once, keyed by its id (evaluation derives it from the rule key)."""
    reward = trigger.data
    return Booking(
        cause=trigger.id,
        kind="grant",
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
