"""`mutu run` as a newcomer uses it: store, four services and the portal up, dev keys and the dev
manager written, Ctrl-C stops all."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mutu.services import EVENT_SERVICES, PORTAL
from shared.web import users
from shared.web.apikeys import ROLES
from tests import infra

PORTS = {service.name: service.port for service in EVENT_SERVICES}
PORTAL_PORT = PORTAL.port

pytestmark = pytest.mark.e2e


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_mutu_run_starts_everything_and_ctrl_c_stops_it_cleanly(amqp_url: str, tmp_path: Path) -> None:
    busy = [port for port in (*PORTS.values(), PORTAL_PORT) if _listening(port)]
    assert not busy, f"ports {busy} are taken (is `make run` running?); stop it first"
    store_port = infra.free_ports_in_a_row(len(EVENT_SERVICES))  # a store per service
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URL"}
    env |= {"AMQP_URL": amqp_url, "VAR_DIR": str(tmp_path), "STORE_PORT": str(store_port)}
    command = [sys.executable, "-m", "mutu", "run"]
    log = tmp_path / "run.log"
    with log.open("w") as sink:  # the services' logs: a file, so a full pipe never blocks them
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=sink, text=True, start_new_session=True
        )
    try:
        assert process.stdout is not None
        banner = []
        while not (line := process.stdout.readline()).startswith("Press Ctrl-C"):
            assert line, f"mutu run ended early: {log.read_text()[-2000:]}"
            banner.append(line)
        for service, port in PORTS.items():
            assert f"{service}" in "".join(banner)
            assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200, service
        keys = json.loads((tmp_path / "dev-keys.json").read_text())
        assert set(keys) == set(ROLES)
        assert all(key in "".join(banner) for key in keys.values())
        manager = json.loads((tmp_path / "dev-manager.json").read_text())
        assert f"sign in as {manager['username']} / {manager['password']}" in "".join(banner)
        assert users.UserFile(tmp_path / "portal-users.json").verify(manager["username"], manager["password"])
        dashboard = httpx.get(f"http://127.0.0.1:{PORTAL_PORT}/", timeout=5)
        assert dashboard.status_code == 303  # the dashboard answers and asks for a sign-in
        assert dashboard.headers["location"] == "/login"
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    print(f"\nmutu run: stopped {time.monotonic() - started:.1f}s after Ctrl-C")
    assert process.returncode == 0
    assert "not fully flushed" not in log.read_text()  # the store outlived the services' last flush
    assert not _listening(store_port)
    assert not [port for port in (*PORTS.values(), PORTAL_PORT) if _listening(port)]
