"""Starting Mutu: the embedded store, one service (`serve`) or all four (`run`)."""

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import uvloop

from mutu import services as registry
from shared.observability import logs
from shared.persistence import embedded_store
from shared.settings import ServiceSettings
from shared.web import apikeys, server, users

SERVICES = registry.EVENT_SERVICE_NAMES
PORTAL = registry.PORTAL.name  # a reader of the event services' HTTP APIs
logger = logging.getLogger(__name__)


def settings_for(service: str, **overrides: Any) -> ServiceSettings:
    return registry.BY_NAME[service].settings(**overrides)


def serve(service: str, port: int | None = None) -> None:
    """Run one service in this process until SIGINT/SIGTERM."""
    found = registry.BY_NAME[service]
    server.serve(found.name, found.create_app, found.settings, port)


def store(path: Path | None, port: int, host: str = "127.0.0.1") -> None:
    logs.configure("store", level="INFO", json_lines=False)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(embedded_store.serve(path=path, host=host, port=port), loop_factory=uvloop.new_event_loop)


def start_store(
    var_dir: Path, *, memory: bool = False, port: int = 0, name: str = "store"
) -> tuple[subprocess.Popen[str], str]:
    """Start `mutu store` as a child process and return it with its MongoDB URL (VAR_DIR/<name>.sqlite3)."""
    process = _spawn_store(var_dir / f"{name}.sqlite3", memory=memory, port=port)
    return process, _store_address(process)


def start_stores(
    var_dir: Path, services: Sequence[str], *, memory: bool = False, port: int = 0
) -> dict[str, tuple[subprocess.Popen[str], str]]:
    """One store process per service database, started together: {service: (process, URL)}.

    SQLite files are VAR_DIR/store-<service>.sqlite3; ports follow `port` (0: any free port).
    Each store is a Python process on one core; four of them serve four databases in parallel.
    """
    if not memory:
        _split_shared_store(var_dir, services)
    spawned = {
        service: _spawn_store(var_dir / f"store-{service}.sqlite3", memory=memory, port=port and port + i)
        for i, service in enumerate(services)
    }
    started: dict[str, tuple[subprocess.Popen[str], str]] = {}
    try:
        for service, process in spawned.items():
            started[service] = (process, _store_address(process))
    except BaseException:
        _terminate(list(spawned.values()))
        raise
    return started


def _spawn_store(path: Path, *, memory: bool, port: int) -> subprocess.Popen[str]:
    """`mutu store` as a child process.

    In a session of its own, so a Ctrl-C in the terminal reaches the services but not the store:
    the caller stops the store last, after the services flushed their outboxes into it.
    """
    command = [sys.executable, "-m", "mutu", "store", "--port", str(port)]
    command += ["--memory"] if memory else ["--path", str(path)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)  # noqa: S603


def _store_address(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None  # noqa: S101 - set by PIPE
    url = process.stdout.readline().strip()
    if not url.startswith("mongodb://"):
        process.kill()
        msg = "the embedded store did not start"
        raise RuntimeError(msg)
    return url


def _split_shared_store(var_dir: Path, services: Sequence[str]) -> None:
    """Data of the one store earlier versions ran (VAR_DIR/store.sqlite3) becomes each service's file.

    Each copy holds every database; a service only opens its own. The old file is kept, renamed.
    """
    shared = var_dir / "store.sqlite3"
    if not shared.exists() or any((var_dir / f"store-{s}.sqlite3").exists() for s in services):
        return
    for service in services:
        for suffix in ("", "-wal"):  # a write-ahead log holds what the last checkpoint did not
            source = shared.with_name(shared.name + suffix)
            if source.exists():
                shutil.copyfile(source, var_dir / f"store-{service}.sqlite3{suffix}")
    shared.rename(shared.with_name("store.sqlite3.before-split"))
    logger.warning(
        "copied %s to one store file per service; the old file is kept as %s.before-split",
        shared,
        shared.name,
    )


def start_service(service: str, env: dict[str, str], port: int | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "mutu", "serve", service]
    if port is not None:
        command += ["--port", str(port)]
    return subprocess.Popen(command, env=env)  # noqa: S603


def wait_healthy(urls: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        for url in list(pending):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:  # noqa: PLR2004
                    pending.remove(url)
        time.sleep(0.3)
    if pending:
        msg = f"not ready in {timeout:.0f}s: {', '.join(pending)}"
        raise RuntimeError(msg)


def ensure_dev_keys(settings: ServiceSettings) -> dict[str, str]:
    """Development keys, made on first start and kept in var/dev-keys.json (hashes elsewhere)."""
    dev_file = settings.var_dir / "dev-keys.json"
    if dev_file.exists():
        keys: dict[str, str] = json.loads(dev_file.read_text())
        if all(apikeys.KeyFile(settings.keys_file).verify(token) for token in keys.values()):
            return keys
    key_file = apikeys.KeyFile(settings.keys_file)
    keys = {role: key_file.create(role, name=f"dev-{role}") for role in apikeys.ROLES}
    dev_file.parent.mkdir(parents=True, exist_ok=True)
    dev_file.write_text(json.dumps(keys, indent=2))
    dev_file.chmod(0o600)
    return keys


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)


def ensure_portal_accounts(settings: ServiceSettings) -> dict[str, str]:
    """The portal's own reader key and a development manager, made on first start (var/, owner-only)."""
    key_file = apikeys.KeyFile(settings.keys_file)
    key_path = settings.var_dir / "portal-reader-key"
    if not key_path.exists() or key_file.verify(key_path.read_text().strip()) is None:
        _write_secret(key_path, key_file.create("reader", name="portal"))
    accounts = users.UserFile(settings.users_path)
    manager_path = settings.var_dir / "dev-manager.json"
    if manager_path.exists():
        manager: dict[str, str] = json.loads(manager_path.read_text())
        if accounts.verify(manager["username"], manager["password"]) is not None:
            return manager
    manager = {"username": "manager", "password": accounts.create("manager", "manager")}
    _write_secret(manager_path, json.dumps(manager, indent=2))
    return manager


def run() -> None:
    """Start a store per service (unless MONGODB_URL is set) and the four services; Ctrl-C stops all."""
    settings = ServiceSettings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    keys = ensure_dev_keys(settings)
    manager = ensure_portal_accounts(settings)
    env = dict(os.environ)
    stores: dict[str, tuple[subprocess.Popen[str], str]] = {}
    if settings.mongodb_url is None:  # one embedded store per service database
        stores = start_stores(settings.var_dir, SERVICES, port=int(env.get("STORE_PORT", "27117")))
        for service, (_, url) in stores.items():
            embedded_store.url_file(settings.var_dir, service).write_text(url)
            env[embedded_store.url_variable(service)] = url
    processes = [start_service(service, env) for service in (*SERVICES, PORTAL)]
    stop = _stop_on_signal()
    try:
        urls = [f"http://{settings.host}:{s.port}" for s in registry.EVENT_SERVICES]
        dashboard = f"http://{settings.host}:{registry.PORTAL.port}"
        wait_healthy([*urls, dashboard], timeout=240)  # five processes starting on a small, busy machine
        print("Mutu is running:")
        for service, url in zip(SERVICES, urls, strict=True):
            print(f"  {service:<11} {url}   (docs {url}/docs)")
        print(f"  {PORTAL:<11} {dashboard}   (the dashboard; survey form: {urls[1]}/s/<unit_id>)")
        print(f"Development keys (also in {settings.var_dir / 'dev-keys.json'}):")
        for role, token in keys.items():
            print(f"  {role:<11} {token}")
        print(f"Dashboard {dashboard}: sign in as {manager['username']} / {manager['password']}")
        print(f"  (development manager, also in {settings.var_dir / 'dev-manager.json'})")
        print("Press Ctrl-C to stop.")
        while not stop.is_set() and all(p.poll() is None for p in processes):
            stop.wait(0.5)
    finally:
        _terminate(processes)
        _terminate([process for process, _ in stores.values()])
        for service in stores:  # a stopped store's address must not send `mutu serve` nowhere
            embedded_store.url_file(settings.var_dir, service).unlink(missing_ok=True)


def _stop_on_signal() -> threading.Event:

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _terminate(processes: list[Any]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
