"""Points ledger decisions (pure): append-only entries per person; balance = their sum, never < 0.

The account document of a person holds `balance`, `seq` (entries booked so far), `entries.<cause
key>` (the recent entries; the map doubles as the inbox of booked causes), `archived` (how many
full pages of PAGE entries have moved to page documents), `earned.<YYYY-Qn>` (points granted per
quarter, for the leaderboard) and the outbox. Booking an entry, moving the balance, recording the
cause and queueing the announcement are one version-guarded single-document update.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shared import envelope, events
from shared.aggregates import Change
from shared.identifiers import derived_id
from shared.storage import Document, field_key

SOURCE = "urn:mutu:rewards"
JAKARTA = ZoneInfo("Asia/Jakarta")
PAGE = 100  # entries per ledger page document
KEEP = 50  # entries that always stay on the account (the newest)


class InsufficientPointsError(ValueError):
    """A redemption or adjustment would take the balance below zero; the message omits the balance."""

    def __init__(self, balance: int, wanted: int) -> None:
        super().__init__(f"the balance is less than {wanted} points")
        self.balance = balance
        self.wanted = wanted


class StaleArchiveError(RuntimeError):
    """Entries moved to a page after the caller looked at the pages: look again, then retry."""

    def __init__(self, archived: int) -> None:
        super().__init__(f"{archived} page(s) archived meanwhile")
        self.archived = archived


def quarter_of(moment: dt.datetime) -> str:
    local = moment.astimezone(JAKARTA)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Booking:
    """One ledger entry to append: its cause (same cause, same entry), points, rule and reason."""

    cause: str
    kind: str  # grant | redemption | adjustment
    points: int
    rule_id: str
    reason: str
    at: dt.datetime
    caused_by: tuple[str, ...] = ()
    unit_id: str | None = None

    @property
    def slot(self) -> str:
        return field_key(self.cause)

    @property
    def entry_id(self) -> str:
        return derived_id("ledger", self.cause)


def book(doc: Document, nip: str, booking: Booking, *, archived: int) -> Change | None:
    """Append `booking` unless its cause is booked; refuse to go below zero.

    `archived` is the page count the caller saw when it checked the page documents for the cause;
    if more pages moved since, the cause may have left this document: StaleArchiveError.
    """
    if int(doc.get("archived", 0)) != archived:
        raise StaleArchiveError(int(doc.get("archived", 0)))
    if booking.slot in doc.get("entries", {}):
        return None
    balance = int(doc.get("balance", 0)) + booking.points
    if balance < 0:
        raise InsufficientPointsError(int(doc.get("balance", 0)), -booking.points)
    seq = int(doc.get("seq", 0)) + 1
    entry: dict[str, Any] = {
        "entry_id": booking.entry_id,
        "seq": seq,
        "kind": booking.kind,
        "points": booking.points,
        "balance_after": balance,
        "rule_id": booking.rule_id,
        "reason": booking.reason,
        "cause": booking.cause,
        "caused_by": list(booking.caused_by),
        "period": quarter_of(booking.at),
        "at": booking.at.isoformat(),
    }
    fields: Document = {f"entries.{booking.slot}": entry, "balance": balance, "seq": seq, "nip": nip}
    if booking.unit_id:
        fields["unit_id"] = booking.unit_id
    inc = {f"earned.{entry['period']}": booking.points} if booking.kind == "grant" else {}
    return Change(set=fields, inc=inc, publish=[announce(nip, entry)])


def announce(nip: str, entry: dict[str, Any]) -> envelope.CloudEvent[Any]:
    """RewardRedeemed for a redemption, RewardPointsGranted for any other entry (deterministic id)."""
    if entry["kind"] == "redemption":
        redeemed = events.RewardRedeemed(
            nip=nip,
            points=-entry["points"],
            balance=entry["balance_after"],
            item=entry["reason"],
            redemption_id=entry["cause"],
        )
        return envelope.wrap(redeemed, source=SOURCE, event_id=derived_id("redeemed", entry["entry_id"]))
    granted = events.RewardPointsGranted(
        nip=nip,
        points=entry["points"],
        balance=entry["balance_after"],
        rule_id=entry["rule_id"],
        ledger_entry_id=entry["entry_id"],
    )
    return envelope.wrap(granted, source=SOURCE, event_id=derived_id("granted", entry["entry_id"]))


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


def entry_after(doc: Document, booking: Booking, change: Change | None) -> dict[str, Any] | None:
    """The entry of `booking`: just booked by `change`, or already on the account document."""
    path = f"entries.{booking.slot}"
    if change is not None:
        booked: dict[str, Any] = change.set[path]
        return booked
    entry: dict[str, Any] | None = doc.get("entries", {}).get(booking.slot)
    return entry


def page_to_archive(doc: Document) -> tuple[int, dict[str, Any]] | None:
    """The oldest full page of entries once KEEP newer ones exist: (page number, entries by slot)."""
    page = int(doc.get("archived", 0))
    if int(doc.get("seq", 0)) < (page + 1) * PAGE + KEEP:
        return None
    low, high = page * PAGE, (page + 1) * PAGE
    return page, {slot: e for slot, e in doc.get("entries", {}).items() if low < e["seq"] <= high}


def archive(doc: Document, page: int) -> Change | None:
    """Drop page `page` from the account (its entries were copied to the page document first)."""
    if int(doc.get("archived", 0)) != page:
        return None
    remaining = {slot: e for slot, e in doc.get("entries", {}).items() if e["seq"] > (page + 1) * PAGE}
    return Change(set={"entries": remaining, "archived": page + 1})


def page_id(nip: str, page: int) -> str:
    return f"{nip}:{page}"


def page_of(seq: int) -> int:
    return (seq - 1) // PAGE
