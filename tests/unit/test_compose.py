"""The compose deployment is valid, scales, keeps secrets out of the repository and gives each
service a broker user limited to its own queues and the routing keys it publishes."""

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from mutu import asyncapi
from shared.contract import events

ROOT = Path(__file__).parents[2]
SERVICES = ("training", "survey", "evaluation", "rewards")
COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"


@cache
def normalised() -> dict[str, Any]:
    """`docker-compose config`: the file as Compose itself reads it (merge keys resolved)."""
    result = subprocess.run([COMPOSE, "config"], cwd=ROOT, capture_output=True, text=True, check=True)
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


@cache
def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "deploy/rabbitmq/definitions.json").read_text())
    return loaded


@cache
def traffic(service: str) -> tuple[set[str], set[str]]:
    """(queues it consumes from, routing keys it publishes), from the document the service serves."""
    queues, published = set(), set()
    for operation_id, operation in asyncapi.served(service)["operations"].items():
        event = events.BY_TYPE[operation_id.split(".", 1)[1].removeprefix(operation["action"])]
        if operation["action"] == "receive":
            queues |= {f"{service}.{event.routing_key}", f"{service}.{event.routing_key}.dlq"}
        else:
            published.add(event.routing_key)
    return queues, published


def test_compose_file_is_valid() -> None:
    result = subprocess.run([COMPOSE, "config", "-q"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_service_can_be_scaled(service: str) -> None:
    spec = normalised()["services"][service]
    assert "container_name" not in spec
    assert all("published" not in port for port in spec.get("ports", [])), "no fixed host port"
    assert spec["command"] == ["serve", service]
    assert spec["image"] == "mutu:latest"
    assert spec["restart"] == "unless-stopped"
    assert "/readyz" in " ".join(spec["healthcheck"]["test"])
    assert {s["target"] for s in spec["secrets"]} == {"amqp_url", "mongodb_url"}
    assert {s["source"] for s in spec["secrets"]} == {f"{service}_amqp_url", f"{service}_mongodb_url"}
    assert spec["depends_on"]["rabbitmq"]["condition"] == "service_healthy"


def test_infrastructure_has_volumes_health_checks_and_no_committed_secrets() -> None:
    config = normalised()
    for name in ("rabbitmq", "mongo", "prometheus"):
        spec = config["services"][name]
        assert spec["restart"] == "unless-stopped"
        assert "healthcheck" in spec
        assert any(v["type"] == "volume" for v in spec["volumes"] if isinstance(v, dict)) or any(
            ":" in v and not v.startswith(("/", ".")) for v in spec["volumes"] if isinstance(v, str)
        )
    assert config["services"]["rabbitmq"]["image"].endswith("-management")
    mongo_env = config["services"]["mongo"]["environment"]
    assert mongo_env["MONGO_INITDB_ROOT_PASSWORD_FILE"].startswith("/run/secrets/")
    assert "MONGO_INITDB_ROOT_PASSWORD" not in mongo_env
    assert {"rabbitmq-data", "mongo-data", "prometheus-data", "mutu-var"} <= set(config["volumes"])
    assert all(Path(s["file"]).parent == ROOT / "deploy/secrets" for s in config["secrets"].values())
    assert "deploy/secrets/" in (ROOT / ".gitignore").read_text().splitlines()
    assert "guest" not in (ROOT / "docker-compose.yml").read_text()


def test_broker_users_have_no_passwords_in_the_repository_and_guest_is_gone() -> None:
    users = {user["name"]: user for user in definitions()["users"]}
    assert set(users) == {*SERVICES, "admin"}
    assert all(user["password_hash"] == "" for user in users.values())
    assert users["admin"]["tags"] == ["administrator"]
    assert all(users[s]["tags"] == [] for s in SERVICES)
    script = (ROOT / "deploy/rabbitmq/start-rabbitmq.sh").read_text()
    assert "delete_user guest" in script
    assert all(s in script for s in SERVICES)


def _allowed(pattern: str, name: str) -> bool:
    return re.fullmatch(pattern, name) is not None


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_user_reaches_only_its_own_queues(service: str) -> None:
    permission = next(p for p in definitions()["permissions"] if p["user"] == service)
    assert permission["vhost"] == "mutu"
    own, _ = traffic(service)
    others = {queue for other in SERVICES if other != service for queue in traffic(other)[0]}
    assert bool(own) == (service != "survey")  # survey consumes nothing, the others something
    for action in ("configure", "write", "read"):
        assert all(_allowed(permission[action], queue) for queue in own)
        assert not any(_allowed(permission[action], queue) for queue in others)
        assert _allowed(permission[action], "mutu.events")
        assert _allowed(permission[action], "mutu.dlx")
        assert not _allowed(permission[action], "amq.default")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_user_publishes_only_its_own_routing_keys(service: str) -> None:
    topic = next(p for p in definitions()["topic_permissions"] if p["user"] == service)
    assert topic["exchange"] == "mutu.events"
    _, published = traffic(service)
    assert published
    everything = {event.routing_key for event in events.ALL}
    # Keys no service publishes yet (contracts ahead of their producer) may fall in its prefix.
    unpublished = everything - {key for other in SERVICES for key in traffic(other)[1]}
    writable = {key for key in everything if _allowed(topic["write"], key)}
    assert published <= writable
    assert writable - published <= unpublished
    consumed = {q.removeprefix(f"{service}.") for q in traffic(service)[0] if not q.endswith(".dlq")}
    assert {key for key in everything if _allowed(topic["read"], key)} == consumed


def test_make_secrets_creates_every_secret_compose_reads(tmp_path: Path) -> None:
    script = tmp_path / "make-secrets.sh"
    shutil.copy(ROOT / "deploy/make-secrets.sh", script)
    subprocess.run(["bash", str(script)], check=True, capture_output=True)
    made = {path.name for path in (tmp_path / "secrets").iterdir()}
    assert made == {Path(s["file"]).name for s in normalised()["secrets"].values()}
    assert all(oct(path.stat().st_mode)[-3:] == "600" for path in (tmp_path / "secrets").iterdir())
    url = (tmp_path / "secrets" / "rewards_amqp_url").read_text()
    password = (tmp_path / "secrets" / "rabbitmq_rewards_password").read_text()
    assert url == f"amqp://rewards:{password}@rabbitmq:5672/mutu"
    before = {path.name: path.read_text() for path in (tmp_path / "secrets").iterdir()}
    subprocess.run(["bash", str(script)], check=True, capture_output=True)
    assert before == {path.name: path.read_text() for path in (tmp_path / "secrets").iterdir()}
