"""A local three-node RabbitMQ cluster behind HAProxy on loopback: one AMQP address, as a k8s Service.

Each node is a separate Erlang node of the installed server (own name, AMQP and distribution
ports, data and log dirs, and an Erlang cookie of its own under the cluster's directory), so the
machine's shared broker on 5672 is never touched. `python -m tests.cluster.local start DIR` leaves
the cluster running (`make cluster`); `stop DIR` ends it; tests use `Cluster` as a context manager.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tests import infra

SERVER = (
    shutil.which("rabbitmq-server", path="/usr/lib/rabbitmq/bin") or "/usr/lib/rabbitmq/bin/rabbitmq-server"
)
CTL = shutil.which("rabbitmqctl", path="/usr/lib/rabbitmq/bin") or "/usr/lib/rabbitmq/bin/rabbitmqctl"
UPGRADE = "/usr/lib/rabbitmq/bin/rabbitmq-upgrade"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
STATE = "cluster.json"


@dataclass
class Node:
    """One RabbitMQ node: its name, ports and process (None while stopped)."""

    name: str
    amqp_port: int
    dist_port: int
    home: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    pid: int | None = None

    @property
    def short(self) -> str:
        return self.name.split("@", 1)[0]

    def env(self) -> dict[str, str]:
        """The environment of this node's server and of rabbitmqctl calls aimed at it."""
        data = self.home / self.short
        return {
            "PATH": f"/usr/lib/rabbitmq/bin:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(self.home),  # holds the cluster's own .erlang.cookie
            "LANG": "C.UTF-8",
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": str(self.home / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(data / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(data / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(data / "mnesia"),
            "RABBITMQ_LOG_BASE": str(data / "log"),
            "RABBITMQ_PID_FILE": str(data / "pid"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def prepare(self) -> None:
        data = self.home / self.short
        (data / "log").mkdir(parents=True, exist_ok=True)
        (data / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.amqp_port}\n"
            "loopback_users.guest = true\n"
            "disk_free_limit.absolute = 50MB\n"
            "vm_memory_high_watermark.relative = 0.2\n"
        )
        (data / "advanced.config").write_text("[].\n")

    def start(self) -> None:
        log = (self.home / self.short / "log" / "console.log").open("ab")
        self.process = subprocess.Popen(
            [SERVER], env=self.env(), stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
        )
        self.pid = self.process.pid
        log.close()

    def ctl(self, *args: str, timeout: float = 120, check: bool = True, tool: str = CTL) -> str:
        """rabbitmqctl (or another CLI tool) against this node (e.g. `await_startup`)."""
        done = subprocess.run(
            [tool, "-n", self.name, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            msg = f"{Path(tool).name} -n {self.name} {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}"
            raise RuntimeError(msg)
        return done.stdout

    def await_startup(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ctl("await_startup", "--timeout", "20", timeout=30)
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline or (self.process and self.process.poll() is not None):
                    raise
                time.sleep(0.5)
            else:
                return

    def await_quorum_plus_one(self, timeout: float = 300) -> None:
        """Wait until stopping this node leaves every quorum queue with a majority online: what
        the RabbitMQ Cluster Operator's preStop hook runs before a pod stops."""
        seconds = str(int(timeout))
        self.ctl("await_online_quorum_plus_one", "-t", seconds, timeout=timeout + 30, tool=UPGRADE)

    def stop(self, *, crash: bool = False) -> None:
        """Graceful stop (`rabbitmqctl stop`), or SIGKILL of its processes when `crash`."""
        if not crash:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.ctl("stop", timeout=60)
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)
        self.process, self.pid = None, None


class Cluster:
    """Three (or `size`) RabbitMQ nodes joined into one cluster, behind one HAProxy port."""

    def __init__(self, home: Path, *, size: int = 3, prefix: str = "mutu-c") -> None:
        self.home = home
        self.nodes = [
            Node(f"{prefix}{i}@localhost", infra.free_port(), infra.free_port(), home)
            for i in range(1, size + 1)
        ]
        self.port = infra.free_port()
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.haproxy_pid: int | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if name in {n.name, n.short})

    def start(self) -> Self:
        self.home.mkdir(parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20))
        cookie.chmod(0o400)
        (self.home / "rabbitmq-env.conf").write_text("")
        (self.home / "enabled_plugins").write_text("[].\n")
        for node in self.nodes:
            node.prepare()
            node.start()
        self._save()
        for node in self.nodes:
            node.await_startup()
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.name)
            node.ctl("start_app")
        self._start_haproxy()
        self._save()
        return self

    def _start_haproxy(self) -> None:
        servers = "\n".join(
            f"  server {n.short} 127.0.0.1:{n.amqp_port} check inter 500 fall 2 rise 2" for n in self.nodes
        )
        config = self.home / "haproxy.cfg"
        config.write_text(
            "global\n  maxconn 4096\n"
            "defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 3h\n  timeout server 3h\n"
            "  retries 3\n  option redispatch\n"
            f"frontend amqp\n  bind 127.0.0.1:{self.port}\n  default_backend rabbitmq\n"
            "backend rabbitmq\n  balance leastconn\n  default-server on-marked-down shutdown-sessions\n"
            f"{servers}\n"
        )
        log = (self.home / "haproxy.log").open("ab")
        self.haproxy = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=log, start_new_session=True
        )
        self.haproxy_pid = self.haproxy.pid
        log.close()
        _wait_port(self.port)

    def leaders(self, vhost: str = "/") -> dict[str, dict[str, Any]]:
        """Per queue: its leader node, replica members and ready messages (asked of a running node)."""
        node = next(n for n in self.nodes if n.pid is not None)
        columns = (
            "name",
            "type",
            "leader",
            "members",
            "online",
            "messages",
            "messages_unacknowledged",
            "consumers",
        )
        rows = json.loads(node.ctl("list_queues", "-p", vhost, *columns, "--formatter", "json"))
        return {row["name"]: row for row in rows}

    def _save(self) -> None:
        state = {
            "url": self.url,
            "haproxy_pid": self.haproxy_pid,
            "nodes": [{"name": n.name, "pid": n.pid, "amqp_port": n.amqp_port} for n in self.nodes],
        }
        (self.home / STATE).write_text(json.dumps(state, indent=2))

    def close(self) -> None:
        """Stop HAProxy and every node, even half-started ones."""
        if self.haproxy_pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.haproxy_pid, signal.SIGKILL)
            if self.haproxy is not None:
                self.haproxy.wait(timeout=10)
            self.haproxy, self.haproxy_pid = None, None
        for node in self.nodes:
            node.stop(crash=True)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _wait_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        else:
            return


def stop_saved(home: Path) -> None:
    """Stop a cluster left running by `start` (reads the pids from its state file)."""
    state = json.loads((home / STATE).read_text())
    pids = [state.get("haproxy_pid")] + [n.get("pid") for n in state["nodes"]]
    for pid in filter(None, pids):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    (home / STATE).unlink()
    shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str]) -> None:
    """`start DIR`: start and print the AMQP address; `stop DIR`: stop it."""
    if len(argv) != 2 or argv[0] not in {"start", "stop"}:
        sys.exit("usage: python -m tests.cluster.local start|stop DIR")
    home = Path(argv[1]).resolve()
    if argv[0] == "stop":
        if (home / STATE).exists():
            stop_saved(home)
        return
    if (home / STATE).exists():
        sys.exit(f"a cluster is already running from {home}: stop it first")
    shutil.rmtree(home, ignore_errors=True)  # a stopped cluster's data: start afresh
    cluster = Cluster(home)
    try:
        cluster.start()
    except BaseException:
        cluster.close()
        raise
    print(cluster.url)


if __name__ == "__main__":
    main(sys.argv[1:])
