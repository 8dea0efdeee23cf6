"""Rewards' ports (accounts, ledger pages, boards) and their MongoDB adapters (the document layout)."""

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Protocol

from services.rewards.model import Account, Board, LedgerEntry
from shared.persistence.aggregates import Aggregates
from shared.persistence.state_store import Outcome, StateStore, load
from shared.persistence.storage import Store

AccountDecision = Callable[[Account], Outcome[Account] | None]
BoardDecision = Callable[[Board], Outcome[Board] | None]


class Accounts(Protocol):
    async def get(self, nip: str) -> Account | None: ...
    async def update(self, nip: str, decide: AccountDecision) -> bool: ...
    async def earned(self, nip: str, period: str) -> tuple[int, str | None]: ...
    def all(self) -> AsyncIterator[Account]: ...


class LedgerPages(Protocol):
    async def find(self, nip: str, slot: str) -> LedgerEntry | None: ...
    async def save(self, nip: str, page: int, entries: Mapping[str, LedgerEntry]) -> None: ...
    async def entries(self, nip: str, pages: Iterable[int]) -> list[LedgerEntry]: ...
    def all(self) -> AsyncIterator[tuple[str, LedgerEntry]]: ...


class Boards(Protocol):
    async def get(self, board_id: str) -> Board | None: ...
    async def update(self, board_id: str, decide: BoardDecision) -> bool: ...


class MongoAccounts:
    """`accounts`: one document per NIP (the Account state, its inbox and outbox)."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._collection = aggregates.collection
        self._states = StateStore(aggregates, Account)

    async def get(self, nip: str) -> Account | None:
        return await self._states.get(nip)

    async def update(self, nip: str, decide: AccountDecision) -> bool:
        return await self._states.update(nip, decide)

    async def earned(self, nip: str, period: str) -> tuple[int, str | None]:
        """Points granted in a quarter and the person's unit (one small projected read)."""
        doc = await self._collection.find_one({"_id": nip}, {f"earned.{period}": 1, "unit_id": 1}) or {}
        return int((doc.get("earned") or {}).get(period, 0)), doc.get("unit_id")

    async def all(self) -> AsyncIterator[Account]:
        async for doc in self._collection.find({}, {"inbox": 0, "outbox": 0}):
            yield load(Account, doc | {"nip": doc.get("nip") or doc["_id"]})


class MongoLedgerPages:
    """`ledger_pages`: `<nip>:<page>` documents holding PAGE archived entries each."""

    def __init__(self, store: Store) -> None:
        self._collection = store.collection("ledger_pages")

    async def create_indexes(self) -> None:
        await self._collection.create_index("nip")

    async def find(self, nip: str, slot: str) -> LedgerEntry | None:
        path = f"entries.{slot}"
        page = await self._collection.find_one({"nip": nip, path: {"$exists": True}}, {path: 1})
        return None if page is None else LedgerEntry.model_validate(page["entries"][slot])

    async def save(self, nip: str, page: int, entries: Mapping[str, LedgerEntry]) -> None:
        """Write the page whole: its entries are the full page's, the same in every save of it.

        One field, not a path per entry: the SQLite store refuses a `$set` of ~60 paths on a
        document that exists (a tidy retried), and there is nothing to merge.
        """
        fields = {slot: entry.model_dump() for slot, entry in entries.items()}
        await self._collection.update_one(
            {"_id": page_id(nip, page)}, {"$set": {"nip": nip, "page": page, "entries": fields}}, upsert=True
        )

    async def entries(self, nip: str, pages: Iterable[int]) -> list[LedgerEntry]:
        wanted = sorted({page_id(nip, page) for page in pages})
        if not wanted:
            return []
        return [
            LedgerEntry.model_validate(raw)
            async for doc in self._collection.find({"_id": {"$in": wanted}})
            for raw in (doc.get("entries") or {}).values()
        ]

    async def all(self) -> AsyncIterator[tuple[str, LedgerEntry]]:
        async for doc in self._collection.find({}, {"nip": 1, "entries": 1}):
            for raw in (doc.get("entries") or {}).values():
                yield str(doc["nip"]), LedgerEntry.model_validate(raw)


class MongoBoards:
    """`leaderboards`: one document per board id `<YYYY-Qn>:<unit or *>`."""

    def __init__(self, aggregates: Aggregates) -> None:
        self._states = StateStore(aggregates, Board)

    async def get(self, board_id: str) -> Board | None:
        return await self._states.get(board_id)

    async def update(self, board_id: str, decide: BoardDecision) -> bool:
        return await self._states.update(board_id, decide)


def page_id(nip: str, page: int) -> str:
    return f"{nip}:{page}"
