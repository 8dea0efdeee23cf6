"""Account, ledger page and leaderboard documents: booking once, archiving, paged reads, ranking.

Each booking is one version-guarded update of the person's account document (aggregates.py).
A cause is booked if its entry is on the account or in one of the person's page documents.
Pages are written before entries leave the account, and leaving bumps `archived`; a booking
states the `archived` it saw when it checked the pages, so an entry that moved in between
makes the booking look again (ledger.StaleArchiveError) instead of booking the cause twice.
"""

import asyncio
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.rewards import leaderboard, ledger
from shared.aggregates import Aggregates, Change
from shared.storage import Document

MAX_LOOKS = 20


class _Attempt:
    """One booking decision; remembers the entry and whether it was booked by the last call."""

    def __init__(self, nip: str, booking: ledger.Booking, archived: int) -> None:
        self.nip, self.booking, self.archived = nip, booking, archived
        self.entry: dict[str, Any] = {}
        self.booked = False

    def decide(self, doc: Document) -> Change | None:
        change = ledger.book(doc, self.nip, self.booking, archived=self.archived)
        self.entry = ledger.entry_after(doc, self.booking, change) or {}
        self.booked = change is not None
        return change


class Ledgers:
    """The account aggregates, their ledger pages and the leaderboard boards."""

    def __init__(self, accounts: Aggregates, pages: AsyncCollection[Document], boards: Aggregates) -> None:
        self.accounts = accounts
        self.pages = pages
        self.boards = boards

    async def create_indexes(self) -> None:
        await self.pages.create_index("nip")

    async def book(self, nip: str, booking: ledger.Booking) -> tuple[dict[str, Any], bool]:
        """The entry of `booking` and whether this call booked it (False: booked before)."""
        archived = 0
        for _ in range(MAX_LOOKS):
            if archived:
                found = await self.archived_entry(nip, booking.slot)
                if found is not None:
                    return found, False
            attempt = _Attempt(nip, booking, archived)
            try:
                await self.accounts.apply(nip, None, attempt.decide)
            except ledger.StaleArchiveError as stale:
                archived = stale.archived
                continue
            if attempt.booked and attempt.entry["seq"] >= (archived + 1) * ledger.PAGE + ledger.KEEP:
                await self.tidy(nip)
            return attempt.entry, attempt.booked
        msg = f"archive of {nip} kept moving"
        raise RuntimeError(msg)

    async def archived_entry(self, nip: str, slot: str) -> dict[str, Any] | None:
        path = f"entries.{slot}"
        page = await self.pages.find_one({"nip": nip, path: {"$exists": True}}, {path: 1})
        return None if page is None else dict(page["entries"][slot])

    async def tidy(self, nip: str) -> None:
        """Move the oldest full page of entries to its page document, then off the account."""
        doc = await self.accounts.collection.find_one({"_id": nip}, {"seq": 1, "archived": 1, "entries": 1})
        plan = ledger.page_to_archive(doc or {})
        if plan is None:
            return
        page, moving = plan
        fields = {f"entries.{slot}": entry for slot, entry in moving.items()}
        await self.pages.update_one(
            {"_id": ledger.page_id(nip, page)}, {"$set": {"nip": nip, "page": page, **fields}}, upsert=True
        )
        await self.accounts.apply(nip, None, lambda doc: ledger.archive(doc, page))

    async def history(self, nip: str, limit: int, before: int | None) -> tuple[Document, list[Document]]:
        """The account and up to `limit` entries with seq < `before`, newest first (one page read)."""
        account = await self.accounts.get(nip) or {}
        top = int(account.get("seq", 0)) if before is None else min(before - 1, int(account.get("seq", 0)))
        wanted = range(top, max(top - limit, 0), -1)
        found = {int(e["seq"]): e for e in account.get("entries", {}).values()}
        missing = {ledger.page_id(nip, ledger.page_of(s)) for s in wanted if s not in found}
        if missing:
            async for page in self.pages.find({"_id": {"$in": sorted(missing)}}):
                found.update({int(e["seq"]): e for e in page.get("entries", {}).values()})
        return account, [found[s] for s in wanted if s in found]

    async def rank(self, nip: str, entry: dict[str, Any]) -> None:
        """Place the person on the boards of the entry's quarter (all units and their unit)."""
        period = entry["period"]
        doc = await self.accounts.collection.find_one({"_id": nip}, {f"earned.{period}": 1, "unit_id": 1})
        earned = int(((doc or {}).get("earned") or {}).get(period, 0))
        boards = {leaderboard.board_id(period, unit) for unit in (None, (doc or {}).get("unit_id"))}
        await asyncio.gather(
            *(self.boards.apply(b, None, lambda d: leaderboard.place(d, nip, earned)) for b in boards)
        )

    async def board(self, period: str, unit_id: str | None) -> Document | None:
        return await self.boards.get(leaderboard.board_id(period, unit_id))
