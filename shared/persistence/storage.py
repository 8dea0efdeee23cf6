"""Store: the AsyncMongoClient lifecycle, one database per service, and duplicate-key helpers."""

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self

from prometheus_client import Counter
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from shared.observability.metrics import REGISTRY

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


ReadPreference = Literal["primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"]


@dataclass(frozen=True)
class StoreOptions:
    """How the client talks to a replica set or a sharded cluster (settings: MONGODB_*).

    Majority writes survive the loss of the primary; retryable writes and reads repeat once,
    safely, across a failover (every write here is an idempotent upsert or a guarded update);
    reads go to the primary by default, because a handler reads what it is about to write.
    """

    write_concern: str | int = "majority"
    wtimeout_ms: int = 10_000
    journal: bool = True
    read_preference: ReadPreference = "primary"
    retry_writes: bool = True
    retry_reads: bool = True
    timeout_ms: int = 5000  # server selection and connection
    socket_timeout_ms: int = 30_000

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "w": self.write_concern,
            "wTimeoutMS": self.wtimeout_ms,
            "journal": self.journal,
            "readPreference": self.read_preference,
            "retryWrites": self.retry_writes,
            "retryReads": self.retry_reads,
            "serverSelectionTimeoutMS": self.timeout_ms,
            "connectTimeoutMS": self.timeout_ms,
            "socketTimeoutMS": self.socket_timeout_ms,
        }


class Store:
    """One service's database; connect with `async with store:`."""

    def __init__(self, url: str, database: str, *, options: StoreOptions | None = None) -> None:
        self.client: AsyncMongoClient[Document] = AsyncMongoClient(
            url,
            tz_aware=True,
            event_listeners=[_CommandCounter()],
            **(options or StoreOptions()).client_kwargs(),
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
