"""deploy/rabbitmq/definitions.json on the real broker: each service runs with its own user, and that
user can touch nothing of the others'. The file is imported with the vhost and user names made
unique, so the shared local broker is not changed for anyone else."""

import json
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused

from mutu import launcher
from tests import infra
from tests.builders import a_training_completed, random_id, structured

pytestmark = pytest.mark.integration

DEFINITIONS = Path(__file__).parents[2] / "deploy" / "rabbitmq" / "definitions.json"


@pytest.fixture(scope="module")
def broker_users() -> Iterator[dict[str, str]]:
    """AMQP URL per user of definitions.json, imported under a fresh vhost and prefixed user names."""
    tag = uuid.uuid4().hex[:8]
    vhost, prefix = f"mutu-users-{tag}", f"t{tag}-"
    definitions: dict[str, Any] = json.loads(DEFINITIONS.read_text())
    users = [user["name"] for user in definitions["users"]]
    text = json.dumps(definitions).replace('"vhost": "mutu"', f'"vhost": "{vhost}"')
    for user in users:
        text = text.replace(f'"{user}"', f'"{prefix}{user}"')
    imported: dict[str, Any] = json.loads(text)
    imported["vhosts"] = [{"name": vhost}]
    ctl = [infra.RABBITMQCTL]
    # rabbitmqctl reads the file as the rabbitmq user: a world-readable file (it holds no secrets)
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir="/tmp") as file:
        file.write(json.dumps(imported))
        file.flush()
        Path(file.name).chmod(0o644)
        subprocess.run([*ctl, "import_definitions", file.name], check=True, capture_output=True)
    passwords = {user: uuid.uuid4().hex for user in users}
    for user, password in passwords.items():
        for _ in range(20):  # the import may still be settling
            changed = subprocess.run(
                [*ctl, "change_password", f"{prefix}{user}", password],
                capture_output=True,
                text=True,
                check=False,
            )
            if changed.returncode == 0:
                break
            time.sleep(0.5)
        assert changed.returncode == 0, changed.stdout + changed.stderr
    try:
        yield {
            user: f"amqp://{prefix}{user}:{password}@127.0.0.1:5672/{quote(vhost, safe='')}"
            for user, password in passwords.items()
        }
    finally:
        for user in users:
            subprocess.run([*ctl, "delete_user", f"{prefix}{user}"], check=False, capture_output=True)
        subprocess.run([*ctl, "delete_vhost", vhost], check=False, capture_output=True)


@pytest.fixture(scope="module")
def restricted(
    broker_users: dict[str, str], store_url: str, var_dir: Path, keys: infra.Keys
) -> Iterator[infra.Stack]:
    """The four services, each connected as its own broker user."""
    stack = infra.Stack(infra.service_env(broker_users["admin"], store_url, var_dir))
    for service in launcher.SERVICES:
        stack.env = stack.env | {"AMQP_URL": broker_users[service]}
        stack.start(service)
    try:
        launcher.wait_healthy(list(stack.urls.values()), timeout=120)
        yield stack
    finally:
        stack.stop_all()


async def test_every_service_works_with_only_its_own_permissions(
    restricted: infra.Stack, broker_users: dict[str, str], keys: infra.Keys, http: httpx.AsyncClient
) -> None:
    bus = infra.BusRecorder()
    await bus.start(broker_users["admin"])
    done = a_training_completed(score=90, passed=True)
    answer = await infra.post_cloudevent(
        http, restricted.urls["training"], keys.integrator, structured(done, event_id=random_id())
    )
    assert answer.status_code == 202
    reader = {"Authorization": f"Bearer {keys.reader}"}

    async def balance() -> int | None:
        points = await http.get(f"{restricted.urls['rewards']}/asn/{done.nip}/points", headers=reader)
        return points.json()["balance"] or None

    assert await infra.eventually(balance, timeout=60) == 10

    async def granted() -> list[dict[str, Any]]:
        return [e for e in infra.events_on(bus, "rewards.points_granted") if e["data"]["nip"] == done.nip]

    await infra.eventually(granted)
    await bus.close()


async def test_a_service_user_cannot_read_another_services_queue(
    restricted: infra.Stack, broker_users: dict[str, str]
) -> None:
    connection = await aio_pika.connect(broker_users["rewards"])
    try:
        channel = await connection.channel()
        queue = await channel.get_queue("evaluation.training.completed", ensure=False)
        with pytest.raises(ChannelAccessRefused):
            await queue.get(fail=False)
    finally:
        await connection.close()


async def test_a_service_user_cannot_publish_another_services_events(
    restricted: infra.Stack, broker_users: dict[str, str]
) -> None:
    connection = await aio_pika.connect(broker_users["rewards"])
    try:
        channel = await connection.channel()
        exchange = await channel.get_exchange("mutu.events")
        with pytest.raises(ChannelAccessRefused, match=r"training\.completed"):
            await exchange.publish(aio_pika.Message(b"{}"), routing_key="training.completed")
    finally:
        await connection.close()
