"""API keys: hashed at rest, roles and scopes, revocation, and a broken key file lets nobody in."""

import json
import stat
from pathlib import Path

import pytest

from shared.web import apikeys


@pytest.fixture
def key_file(tmp_path: Path) -> apikeys.KeyFile:
    return apikeys.KeyFile(tmp_path / "keys.json")


def test_only_the_digest_is_stored_and_the_file_is_owner_only(key_file: apikeys.KeyFile) -> None:
    token = key_file.create("reader", name="ops")
    text = key_file.path.read_text()
    secret = token.split("_", 2)[2]
    assert secret not in text
    assert len(secret) == 32  # 24 random bytes = 192 bits, url-safe base64
    assert stat.S_IMODE(key_file.path.stat().st_mode) == 0o600
    stored = json.loads(text)["keys"][0]
    assert stored["role"] == "reader"
    assert stored["name"] == "ops"


def test_a_created_token_verifies_and_a_tampered_one_does_not(key_file: apikeys.KeyFile) -> None:
    token = key_file.create("integrator", ("TrainingCompleted",))
    key = key_file.verify(token)
    assert key is not None
    assert key.role == "integrator"
    assert key_file.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert key_file.verify("mutu_" + "0" * 12 + "_" + token.split("_", 2)[2]) is None
    assert key_file.verify("Bearer " + token) is None
    assert key_file.verify(token + "x" * 200) is None
    assert key_file.verify("") is None


def test_a_revoked_key_no_longer_verifies_even_in_another_process(key_file: apikeys.KeyFile) -> None:
    token = key_file.create("admin")
    key_id = token.split("_")[1]
    other_process = apikeys.KeyFile(key_file.path)
    assert other_process.verify(token) is not None
    assert key_file.revoke(key_id)
    assert other_process.verify(token) is None
    assert not key_file.revoke("nosuchkey")


def test_scopes_limit_an_integrator_and_roles_do_not_mix(key_file: apikeys.KeyFile) -> None:
    key = key_file.verify(key_file.create("integrator", ("TrainingCompleted", "xapi")))
    assert key is not None
    assert key.allows("integrator", "TrainingCompleted")
    assert key.allows("integrator", "xapi")
    assert not key.allows("integrator", "SurveySubmitted")
    assert not key.allows("reader", None)
    reader = key_file.verify(key_file.create("reader"))
    assert reader is not None
    assert reader.allows("reader", None)
    assert not reader.allows("integrator", "TrainingCompleted")
    admin = key_file.verify(key_file.create("admin"))
    assert admin is not None
    assert admin.allows("reader", None)


def test_unknown_scopes_and_roles_are_refused(key_file: apikeys.KeyFile) -> None:
    with pytest.raises(ValueError, match="unknown scopes"):
        key_file.create("integrator", ("TrainingCompleted", "Everything"))
    with pytest.raises(ValueError, match="role"):
        key_file.create("root")  # type: ignore[arg-type]
    assert set(apikeys.SCOPES) >= {"TrainingCompleted", "SurveySubmitted", "xapi"}


def test_a_broken_key_file_keeps_the_keys_last_read(key_file: apikeys.KeyFile, tmp_path: Path) -> None:
    token = key_file.create("reader")
    assert key_file.verify(token) is not None
    key_file.path.write_text("{ not json")
    assert key_file.verify(token) is not None
    fresh = apikeys.KeyFile(key_file.path)
    assert fresh.verify(token) is None
    assert apikeys.KeyFile(tmp_path / "missing.json").verify(token) is None
