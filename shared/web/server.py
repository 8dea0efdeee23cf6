"""Serving one service process: settings from the environment, logs, uvicorn, graceful stop."""

import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.observability import logs
from shared.persistence.embedded_store import store_url
from shared.settings import ServiceSettings
from shared.web.http_protocol import BoundedHeadProtocol


def serve[S: ServiceSettings](
    name: str, create_app: Callable[[S], FastAPI], settings_class: type[S], port: int | None = None
) -> None:
    """Run one service until SIGINT/SIGTERM (graceful: in-flight work finishes).

    A service that uses the store takes MONGODB_URL_<NAME> (its own store, as `mutu run` starts
    one per service), else MONGODB_URL, else the address an embedded store wrote to VAR_DIR
    (shared/persistence/embedded_store.py).
    """
    overrides: dict[str, Any] = {} if port is None else {"port": port}
    settings = settings_class(**overrides)
    if settings.uses_store:
        url = store_url(name, settings.mongodb_url, settings.var_dir)
        if url is None:
            sys.exit("MONGODB_URL is not set and no embedded store runs: use `mutu run` or `mutu store`")
        settings = settings_class(**overrides, mongodb_url=url)
    logs.configure(name, level=settings.log_level, json_lines=settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        loop="uvloop",  # socket writes and polling in C: a third of each service's CPU under asyncio's
        http=BoundedHeadProtocol,  # httptools (C), with h11's 16 KiB bound on a request head
        timeout_graceful_shutdown=20,
        # uvicorn would trust X-Forwarded-For from 127.0.0.1: only TRUSTED_PROXIES are believed here.
        proxy_headers=bool(settings.proxies),
        forwarded_allow_ips=settings.proxies or [],
    )
