"""Points ledger: append-only entries per person; the balance is their sum and never negative.

An account document holds the balance, the sequence number, the recent entries and the ids of
what it has booked; booking an entry, moving the balance and queueing the announcement are one
atomic update. Older entries move to page documents (`archive.py`), never edited.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shared import envelope, events
from shared.aggregates import Change
from shared.identifiers import derived_id
from shared.storage import Document, field_key

SOURCE = "urn:mutu:rewards"
JAKARTA = ZoneInfo("Asia/Jakarta")


class InsufficientPointsError(ValueError):
    """A redemption or adjustment would take the balance below zero."""


def quarter_of(moment: dt.datetime) -> str:
    local = moment.astimezone(JAKARTA)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Booking:
    """One ledger entry to append: what, how many points, why, and the event announcing it."""

    key: str  # the cause: same cause, same entry
    kind: str
    points: int
    rule_id: str
    reason: str
    caused_by: tuple[str, ...]
    period: str


Announce = Callable[[dict[str, Any], int], envelope.CloudEvent[Any]]


def book(doc: Document, nip: str, booking: Booking, announce: Announce) -> Change | None:
    """Append `booking` unless its cause is already booked; refuse to go below zero."""
    slot = field_key(booking.key)
    if slot in doc.get("booked", {}):
        return None
    balance = int(doc.get("balance", 0)) + booking.points
    if balance < 0:
        raise InsufficientPointsError(f"balance {doc.get('balance', 0)} is less than {-booking.points}")
    seq = int(doc.get("seq", 0)) + 1
    entry_id = derived_id("ledger", booking.key)
    entry: dict[str, Any] = {
        "entry_id": entry_id,
        "seq": seq,
        "kind": booking.kind,
        "points": booking.points,
        "balance_after": balance,
        "rule_id": booking.rule_id,
        "reason": booking.reason,
        "caused_by": list(booking.caused_by),
        "period": booking.period,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    fields: Document = {
        f"entries.{slot}": entry,
        f"booked.{slot}": entry_id,
        "balance": balance,
        "seq": seq,
        "nip": nip,
    }
    inc = (
        {f"earned.{booking.period}": booking.points} if booking.points > 0 and booking.kind == "grant" else {}
    )
    return Change(set=fields, inc=inc, publish=[announce(entry, balance)])


def grant(doc: Document, trigger: envelope.CloudEvent[events.RewardTriggered]) -> Change | None:
    """Book a RewardTriggered once (keyed by its id) and announce the new balance."""
    reward = trigger.data
    booking = Booking(
        key=trigger.id,
        kind="grant",
        points=reward.points,
        rule_id=reward.rule_id,
        reason=reward.reason,
        caused_by=(trigger.id, *reward.caused_by),
        period=quarter_of(trigger.time or dt.datetime.now(dt.UTC)),
    )
    change = book(doc, reward.nip, booking, lambda entry, balance: _granted(reward.nip, entry, balance))
    if change is not None and reward.unit_id:
        change.set["unit_id"] = reward.unit_id
    return change


def adjust(doc: Document, nip: str, adjustment_id: str, points: int, reason: str) -> Change | None:
    """An administrator's correction: a ledger entry of its own, never an edit."""
    booking = Booking(
        key=f"adjustment:{nip}:{adjustment_id}",
        kind="adjustment",
        points=points,
        rule_id="manual_adjustment",
        reason=reason,
        caused_by=(),
        period=quarter_of(dt.datetime.now(dt.UTC)),
    )
    return book(doc, nip, booking, lambda entry, balance: _granted(nip, entry, balance))


def redeem(doc: Document, nip: str, redemption_id: str, points: int, item: str) -> Change | None:
    booking = Booking(
        key=redemption_id,
        kind="redemption",
        points=-points,
        rule_id="redemption",
        reason=item,
        caused_by=(),
        period=quarter_of(dt.datetime.now(dt.UTC)),
    )

    def announce(entry: dict[str, Any], balance: int) -> envelope.CloudEvent[Any]:
        redeemed = events.RewardRedeemed(
            nip=nip, points=points, balance=balance, item=item, redemption_id=redemption_id
        )
        return envelope.wrap(redeemed, source=SOURCE, event_id=derived_id("redeemed", entry["entry_id"]))

    return book(doc, nip, booking, announce)


def _granted(nip: str, entry: dict[str, Any], balance: int) -> envelope.CloudEvent[Any]:
    granted = events.RewardPointsGranted(
        nip=nip,
        points=entry["points"],
        balance=balance,
        rule_id=entry["rule_id"],
        ledger_entry_id=entry["entry_id"],
    )
    return envelope.wrap(granted, source=SOURCE, event_id=derived_id("granted", entry["entry_id"]))


def entry_for(doc: Document, key: str) -> dict[str, Any] | None:
    """The entry booked for a cause, if it is still on the account document."""
    entry: dict[str, Any] | None = doc.get("entries", {}).get(field_key(key))
    return entry
