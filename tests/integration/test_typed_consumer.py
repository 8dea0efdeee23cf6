"""The README's typed consumer works: models generated from the AsyncAPI document read a real event."""

import asyncio
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from mutu import asyncapi
from shared.contract import asyncapi as documents
from shared.contract import envelope, events
from tests import builders, infra

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
CODEGEN = Path(sys.executable).parent / "datamodel-codegen"


def readme_blocks() -> tuple[list[str], str]:
    """(the datamodel-codegen command as argv, the consumer script) of the README's worked example."""
    section = (ROOT / "README.md").read_text().split("### A typed consumer from the AsyncAPI document")[1]
    shell, script = re.findall(r"```(?:bash|python)\n(.*?)```", section, flags=re.DOTALL)[:2]
    command = next(
        line for line in shell.replace("\\\n", " ").splitlines() if line.startswith("datamodel-codegen")
    )
    return shlex.split(command), script


async def test_the_readme_consumer_reads_a_points_grant_with_generated_models(
    amqp_url: str, tmp_path: Path
) -> None:
    argv, script = readme_blocks()
    # What `curl -s localhost:8004/asyncapi.yaml -o mutu-rewards.yaml` fetches.
    (tmp_path / "mutu-rewards.yaml").write_text(documents.to_yaml(asyncapi.served("rewards")))
    subprocess.run([str(CODEGEN), *argv[1:]], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    assert "class RewardPointsGrantedCloudEvent(BaseModel)" in (tmp_path / "mutu_events.py").read_text()
    (tmp_path / "payroll_consumer.py").write_text(script)
    consumer = await asyncio.create_subprocess_exec(
        sys.executable,
        "payroll_consumer.py",
        cwd=tmp_path,
        env={"AMQP_URL": amqp_url, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert consumer.stdout is not None
        ready = await asyncio.wait_for(consumer.stdout.readline(), timeout=60)
        assert ready.decode().strip() == "consuming payroll.rewards.points_granted"
        grant = builders.a_reward_points_granted(points=10, balance=30)
        event = builders.wrapped(grant)
        other = builders.wrapped(builders.a_reward_redeemed())  # another routing key: not bound
        await infra.publish_raw(
            amqp_url, [(envelope.to_json(other), other.id)], routing_key="rewards.redeemed"
        )
        await infra.publish_raw(
            amqp_url,
            [(envelope.to_json(event), event.id)],
            routing_key=events.RewardPointsGranted.routing_key,
        )
        line = await asyncio.wait_for(consumer.stdout.readline(), timeout=60)
        assert line.decode().strip() == f"{event.id}: {grant.nip} +10 -> 30"
    finally:
        consumer.terminate()
        await consumer.wait()
