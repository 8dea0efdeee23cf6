"""Serving one service process: settings from the environment, logs, uvicorn, graceful stop."""

import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared import logs
from shared.embedded_store import STORE_URL_FILE
from shared.settings import ServiceSettings


def serve[S: ServiceSettings](
    name: str, create_app: Callable[[S], FastAPI], settings_class: type[S], port: int | None = None
) -> None:
    """Run one service until SIGINT/SIGTERM (graceful: in-flight work finishes).

    Without MONGODB_URL, a service that uses the store takes the address `mutu run` or `mutu store`
    wrote to VAR_DIR/mongodb-url.
    """
    overrides: dict[str, Any] = {} if port is None else {"port": port}
    settings = settings_class(**overrides)
    if settings.mongodb_url is None and settings.uses_store:
        url_file = settings.var_dir / STORE_URL_FILE
        if not url_file.exists():
            sys.exit("MONGODB_URL is not set and no embedded store runs: use `mutu run` or `mutu store`")
        settings = settings_class(**overrides, mongodb_url=url_file.read_text().strip())
    logs.configure(name, level=settings.log_level, json_lines=settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=20,
        # uvicorn would trust X-Forwarded-For from 127.0.0.1: only TRUSTED_PROXIES are believed here.
        proxy_headers=bool(settings.proxies),
        forwarded_allow_ips=settings.proxies or [],
    )
