"""Keeps account documents small: the oldest entries move, unchanged, to page documents."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from shared.storage import Document

KEEP = 100
ARCHIVE_AT = 200


async def archive_old_entries(
    accounts: AsyncCollection[Document], pages: AsyncCollection[Document], nip: str
) -> int:
    """Copy the oldest entries to a page (idempotent), then drop them from the account if unchanged."""
    doc = await accounts.find_one({"_id": nip}, {"entries": 1, "version": 1})
    entries = (doc or {}).get("entries", {})
    if doc is None or len(entries) <= ARCHIVE_AT:
        return 0
    oldest = sorted(entries.items(), key=lambda item: item[1]["seq"])[: len(entries) - KEEP]
    page = f"{nip}:{oldest[0][1]['seq']}"
    await pages.update_one(
        {"_id": page}, {"$set": {"nip": nip, **{f"entries.{k}": v for k, v in oldest}}}, upsert=True
    )
    moved = await accounts.update_one(
        {"_id": nip, "version": doc["version"]}, {"$unset": {f"entries.{k}": "" for k, _ in oldest}}
    )
    return len(oldest) if moved.modified_count else 0


async def all_entries(
    accounts: AsyncCollection[Document], pages: AsyncCollection[Document], nip: str
) -> list[dict[str, Any]]:
    """Every entry of a person, newest first (an entry caught mid-archive counts once)."""
    found: dict[str, dict[str, Any]] = {}
    async for page in pages.find({"nip": nip}):
        found.update({e["entry_id"]: e for e in page.get("entries", {}).values()})
    account = await accounts.find_one({"_id": nip}, {"entries": 1}) or {}
    found.update({e["entry_id"]: e for e in account.get("entries", {}).values()})
    return sorted(found.values(), key=lambda e: e["seq"], reverse=True)
