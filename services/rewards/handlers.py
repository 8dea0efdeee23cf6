"""Rewards use cases as async verbs."""

from services.rewards import archive, ledger
from shared import envelope, events
from shared.aggregates import Aggregates
from shared.identifiers import derived_id
from shared.storage import Document


class Ledgers:
    """The account aggregates and their archive pages."""

    def __init__(self, accounts: Aggregates, pages: Aggregates) -> None:
        self.accounts = accounts
        self.pages = pages

    async def tidy(self, nip: str) -> None:
        await archive.archive_old_entries(self.accounts.collection, self.pages.collection, nip)


async def grant_points(trigger: envelope.CloudEvent[events.RewardTriggered], *, ledgers: Ledgers) -> bool:
    booked = await ledgers.accounts.apply(
        trigger.data.nip, trigger.id, lambda doc: ledger.grant(doc, trigger)
    )
    if booked:
        await ledgers.tidy(trigger.data.nip)
    return booked


async def redeem(nip: str, points: int, item: str, idempotency_key: str, *, ledgers: Ledgers) -> Document:
    """Take points for an item once per idempotency key; raises InsufficientPointsError."""
    redemption_id = derived_id("redemption", nip, idempotency_key)
    await ledgers.accounts.apply(nip, None, lambda doc: ledger.redeem(doc, nip, redemption_id, points, item))
    doc = await ledgers.accounts.collection.find_one({"_id": nip}) or {}
    entry = ledger.entry_for(doc, redemption_id) or {}
    return {
        "redemption_id": redemption_id,
        "nip": nip,
        "points": -entry.get("points", -points),
        "item": item,
        "balance_after": entry.get("balance_after"),
        "balance": doc.get("balance", 0),
    }


async def adjust(nip: str, adjustment_id: str, points: int, reason: str, *, ledgers: Ledgers) -> Document:
    await ledgers.accounts.apply(
        nip, None, lambda doc: ledger.adjust(doc, nip, adjustment_id, points, reason)
    )
    doc = await ledgers.accounts.get(nip) or {}
    return {"nip": nip, "adjustment_id": adjustment_id, "points": points, "balance": doc.get("balance", 0)}
