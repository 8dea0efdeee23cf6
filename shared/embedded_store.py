"""The embedded mongoeco wire server: the local and CI MongoDB endpoint (SQLite files or memory)."""

import asyncio
import logging
from pathlib import Path

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer

logger = logging.getLogger(__name__)
STORE_URL_FILE = "mongodb-url"  # under VAR_DIR: where `mutu run` leaves the store's address for services


async def serve(*, path: Path | None, host: str, port: int, ready: asyncio.Event | None = None) -> None:
    """Serve until cancelled; `path=None` keeps everything in memory (tests only)."""
    if path is None:
        engine: MemoryEngine | SQLiteEngine = MemoryEngine()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = SQLiteEngine(str(path))
    async with AsyncMongoEcoProxyServer(engine=engine, host=host, port=port) as server:
        logger.info("embedded store listening at %s (%s)", server.address.uri, path or "memory")
        print(server.address.uri, flush=True)  # noqa: T201 - the launcher reads the URL from stdout
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()
