"""Rewards domain: the account (balance and recent ledger entries), bookings and leaderboard boards."""

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared import errors
from shared.contract import events
from shared.contract.identifiers import derived_id, field_key
from shared.persistence.state_store import SEALED_PAGE, State

# What this service publishes (checked against the code by tests/unit/test_architecture.py).
PUBLISHES: tuple[type[events.Event], ...] = (events.RewardPointsGranted, events.RewardRedeemed)

Kind = Literal["grant", "redemption", "adjustment", "correction"]
PAGE = 100  # entries per ledger page document
KEEP = 50  # entries that always stay on the account (the newest)
TOP = 100  # rows a leaderboard board keeps
ALL_UNITS = "*"


class InsufficientPointsError(errors.ConflictError):
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


class IdempotencyConflictError(errors.InvalidError):
    """An idempotency key used again with a different request."""


class Booking(BaseModel):
    """One ledger entry to append: its cause (same cause, same entry), points, rule and reason."""

    model_config = ConfigDict(frozen=True)

    cause: str
    kind: Kind
    points: int
    rule_id: str
    reason: str
    at: dt.datetime
    caused_by: tuple[str, ...] = ()
    unit_id: str | None = None
    corrects: str | None = None

    @property
    def slot(self) -> str:
        """The entry's key on the account: the cause, hashed to a safe field name."""
        return field_key(self.cause)

    @property
    def entry_id(self) -> str:
        return derived_id("ledger", self.cause)


class LedgerEntry(BaseModel):
    """A booked entry; `balance_after` is the balance once it was booked."""

    model_config = ConfigDict(frozen=True)

    entry_id: str
    seq: int
    kind: Kind
    points: int
    balance_after: int
    rule_id: str
    reason: str
    cause: str
    caused_by: tuple[str, ...] = ()
    period: str
    at: dt.datetime
    corrects: str | None = None  # a correction: the fact it corrects
    shortfall: int = 0  # a correction: points it could not take back (already spent)

    @field_validator("at")
    @classmethod
    def _to_the_millisecond(cls, value: dt.datetime) -> dt.datetime:
        """As the store keeps it, so an answer given now equals the one read back later."""
        return value.replace(microsecond=value.microsecond // 1000 * 1000)


class Account(State):
    """A person's points: the balance, the entries booked so far and the newest of them.

    `entries` (by cause slot) doubles as the record of booked causes; `archived` counts the full
    pages of PAGE entries moved to page documents; `earned` is points granted per quarter.
    """

    sealed_maps: ClassVar[Mapping[str, int]] = {"entries": SEALED_PAGE}

    nip: str = ""
    balance: int = 0
    seq: int = 0
    entries: dict[str, LedgerEntry] = Field(default_factory=dict)
    archived: int = 0
    earned: dict[str, int] = Field(default_factory=dict)
    unit_id: str | None = None


class Board(State):
    """The top people of one (quarter, unit): rows (nip, points), most points first, then NIP."""

    top: list[tuple[str, int]] = Field(default_factory=list)


def board_id(period: str, unit_id: str | None) -> str:
    return f"{period}:{unit_id or ALL_UNITS}"


def page_of(seq: int) -> int:
    return (seq - 1) // PAGE
