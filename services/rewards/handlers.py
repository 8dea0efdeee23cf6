"""Rewards use cases as async verbs: grant, redeem, adjust."""

import datetime as dt
from typing import Any

from services.rewards import ledger
from services.rewards.accounts import Ledgers
from shared import envelope, events
from shared.storage import Document

__all__ = ["IdempotencyConflictError", "Ledgers", "adjust", "grant_points", "redeem"]


class IdempotencyConflictError(ValueError):
    """An idempotency key used again with a different request."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def grant_points(trigger: envelope.CloudEvent[events.RewardTriggered], *, ledgers: Ledgers) -> bool:
    """Book the trigger once and rank the person (also on a redelivery: the ranking may be missing)."""
    entry, booked = await ledgers.book(trigger.data.nip, ledger.grant_of(trigger, _now()))
    await ledgers.rank(trigger.data.nip, entry)
    return booked


def _same(entry: dict[str, Any], booking: ledger.Booking) -> None:
    if entry["points"] != booking.points or entry["reason"] != booking.reason:
        msg = "this idempotency key was used for a different request"
        raise IdempotencyConflictError(msg)


async def redeem(nip: str, points: int, item: str, idempotency_key: str, *, ledgers: Ledgers) -> Document:
    """Take points for an item once per key; InsufficientPointsError when the balance is too low."""
    booking = ledger.redemption_of(nip, idempotency_key, points, item, _now())
    entry, _ = await ledgers.book(nip, booking)
    _same(entry, booking)
    return {
        "redemption_id": entry["cause"],
        "ledger_entry_id": entry["entry_id"],
        "nip": nip,
        "points": -entry["points"],
        "item": entry["reason"],
        "balance_after": entry["balance_after"],
        "at": entry["at"],
    }


async def adjust(nip: str, adjustment_id: str, points: int, reason: str, *, ledgers: Ledgers) -> Document:
    """An administrator's correction as a ledger entry, once per adjustment id, never below zero."""
    booking = ledger.adjustment_of(nip, adjustment_id, points, reason, _now())
    entry, _ = await ledgers.book(nip, booking)
    _same(entry, booking)
    return {
        "adjustment_id": adjustment_id,
        "ledger_entry_id": entry["entry_id"],
        "nip": nip,
        "points": entry["points"],
        "reason": entry["reason"],
        "balance_after": entry["balance_after"],
        "at": entry["at"],
    }
