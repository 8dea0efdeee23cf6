"""deploy/Dockerfile: multi-stage, slim, the locked dependencies, non-root, one image for every service."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def test_two_stages_on_python_3_13_slim() -> None:
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE) == ["python:3.13-slim", "python:3.13-slim"]
    assert "COPY --from=build /app/.venv /app/.venv" in DOCKERFILE


def test_dependencies_come_from_the_lock_file_without_dev_tools() -> None:
    syncs = re.findall(r"^RUN uv sync (.*)$", DOCKERFILE, re.MULTILINE)
    assert syncs
    assert all("--frozen" in s and "--no-dev" in s for s in syncs)


def test_runs_as_a_non_root_user_and_serves_on_all_interfaces() -> None:
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert users == ["mutu"]
    assert "HOST=0.0.0.0" in DOCKERFILE
    assert 'ENTRYPOINT ["mutu"]' in DOCKERFILE
    assert "/readyz" in DOCKERFILE


def test_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".venv", "var", ".git", "deploy"} <= set(ignored)
