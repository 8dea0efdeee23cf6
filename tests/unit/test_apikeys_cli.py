"""`mutu keys create|list|revoke`: a token is printed once, a listing never shows a secret."""

import json
import stat
from pathlib import Path

import pytest

from mutu import cli, launcher
from shared.settings import ServiceSettings
from shared.web import apikeys


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    cli.main(list(argv))
    return capsys.readouterr().out


def test_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = str(tmp_path / "keys.json")
    token = run(
        capsys, "keys", "--file", file, "create", "--role", "integrator", "--scope", "xapi", "--name", "lms"
    )
    token = token.strip()
    key = apikeys.KeyFile(Path(file)).verify(token)
    assert key is not None
    assert key.scopes == ("xapi",)
    secret = token.split("_", 2)[2]

    listing = run(capsys, "keys", "--file", file, "list")
    assert key.key_id in listing
    assert "lms" in listing
    assert secret not in listing
    assert key.digest not in listing
    rows = json.loads(run(capsys, "keys", "--file", file, "list", "--json"))
    assert rows == [
        {
            "key_id": key.key_id,
            "role": "integrator",
            "scopes": ["xapi"],
            "name": "lms",
            "created_at": key.created_at,
            "revoked": False,
        }
    ]

    assert run(capsys, "keys", "--file", file, "revoke", key.key_id).strip() == f"revoked {key.key_id}"
    assert apikeys.KeyFile(Path(file)).verify(token) is None
    assert json.loads(run(capsys, "keys", "--file", file, "list", "--json"))[0]["revoked"] is True


def test_wrong_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = str(tmp_path / "keys.json")
    with pytest.raises(SystemExit, match="integrator keys only"):
        run(capsys, "keys", "--file", file, "create", "--role", "reader", "--scope", "xapi")
    with pytest.raises(SystemExit):
        run(capsys, "keys", "--file", file, "create", "--role", "integrator", "--scope", "Everything")
    with pytest.raises(SystemExit, match="no key"):
        run(capsys, "keys", "--file", file, "revoke", "abc")
    assert not Path(file).exists()


def test_without_scope_an_integrator_may_post_every_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "keys.json"
    token = run(capsys, "keys", "--file", str(file), "create", "--role", "integrator").strip()
    key = apikeys.KeyFile(file).verify(token)
    assert key is not None
    assert all(key.allows("integrator", scope) for scope in apikeys.SCOPES)


def test_make_run_dev_keys_are_made_once_and_remade_when_revoked(tmp_path: Path) -> None:
    settings = ServiceSettings(var_dir=tmp_path)
    first = launcher.ensure_dev_keys(settings)
    dev_file = tmp_path / "dev-keys.json"
    assert json.loads(dev_file.read_text()) == first
    assert set(first) == {"integrator", "reader", "admin"}
    assert stat.S_IMODE(dev_file.stat().st_mode) == 0o600
    key_file = apikeys.KeyFile(settings.keys_file)
    for role, token in first.items():
        key = key_file.verify(token)
        assert key is not None
        assert key.role == role
    assert launcher.ensure_dev_keys(settings) == first
    key_file.revoke(first["reader"].split("_")[1])
    again = launcher.ensure_dev_keys(settings)
    assert again != first
    assert key_file.verify(again["reader"]) is not None
