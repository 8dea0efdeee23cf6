"""Store: the AsyncMongoClient lifecycle, one database per service, and duplicate-key helpers."""

from types import TracebackType
from typing import Any, Self

from prometheus_client import Counter
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from shared.metrics import REGISTRY

DUPLICATE_KEY = 11000
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024  # the default guard; real MongoDB refuses documents over 16 MB
Document = dict[str, Any]


class DocumentTooLargeError(ValueError):
    """A write would make a document larger than the configured limit; nothing was written."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the document would grow to {size} bytes, over the limit of {limit} bytes")
        self.size = size
        self.limit = limit


STORE_COMMANDS = Counter(
    "mutu_store_commands_total",
    "Round trips to the store (PyMongo command monitoring), by command name.",
    ["command"],
    registry=REGISTRY,
)


class _CommandCounter(monitoring.CommandListener):
    """Counts every command sent to the store: round trips per event are a key cost."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        STORE_COMMANDS.labels(event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


class Store:
    """One service's database; connect with `async with store:`."""

    def __init__(self, url: str, database: str, *, timeout_ms: int = 5000) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            url,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            tz_aware=True,
            event_listeners=[_CommandCounter()],
        )
        self.db: AsyncDatabase[Document] = self.client[database]

    def collection(self, name: str) -> AsyncCollection[Document]:
        return self.db[name]

    async def ping(self) -> bool:
        try:
            await self.client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    async def __aenter__(self) -> Self:
        await self.client.aconnect()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.client.close()


def is_duplicate_key(error: PyMongoError) -> bool:
    if isinstance(error, DuplicateKeyError):
        return True
    if isinstance(error, BulkWriteError):
        return all(e.get("code") == DUPLICATE_KEY for e in error.details.get("writeErrors", []))
    return getattr(error, "code", None) == DUPLICATE_KEY
