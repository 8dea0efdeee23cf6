"""The embedded mongoeco wire server: the local and CI MongoDB endpoint (SQLite files or memory).

`mutu run` starts one store process per service database (each service owns its database, and
one Python store process serving all four was the pipeline's bottleneck: it runs on one core).
It leaves each address in VAR_DIR/mongodb-url-<service>; `VAR_DIR/mongodb-url` is the address of
a store serving every service (`mutu store` started by hand), read when no per-service file is
there. A service started with MONGODB_URL_<SERVICE> or MONGODB_URL reads no file at all.
"""

import asyncio
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer

logger = logging.getLogger(__name__)
STORE_URL_FILE = "mongodb-url"  # under VAR_DIR: where `mutu run` leaves the store's address for services


def url_variable(service: str) -> str:
    """The environment variable naming one service's own store: MONGODB_URL_<SERVICE>."""
    return f"MONGODB_URL_{service.upper()}"


def url_file(var_dir: Path, service: str | None = None) -> Path:
    """VAR_DIR/mongodb-url-<service> (that service's store), or VAR_DIR/mongodb-url (one for all)."""
    return var_dir / (f"{STORE_URL_FILE}-{service}" if service else STORE_URL_FILE)


def store_url(
    service: str, mongodb_url: str | None, var_dir: Path, environ: Mapping[str, str] = os.environ
) -> str | None:
    """Where `service` finds its database, most specific first.

    MONGODB_URL_<SERVICE>, then MONGODB_URL (`mongodb_url`: a real deployment sets only this one),
    then the address files an embedded store left in VAR_DIR; None if there is none.
    """
    if found := environ.get(url_variable(service)):
        return found
    if mongodb_url:
        return mongodb_url
    for path in (url_file(var_dir, service), url_file(var_dir)):
        if path.exists():
            return path.read_text().strip()
    return None


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
