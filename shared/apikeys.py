"""API keys: stored hashed in a JSON file, with a role (integrator, reader, admin) and scopes."""

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Role = Literal["integrator", "reader", "admin"]
ROLES: tuple[Role, ...] = ("integrator", "reader", "admin")
ALL_SCOPES = "*"
PREFIX = "mutu"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    role: Role
    digest: str
    scopes: tuple[str, ...] = (ALL_SCOPES,)
    name: str = ""
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())
    revoked: bool = False

    def allows(self, role: Role, scope: str | None) -> bool:
        if self.revoked:
            return False
        if self.role == "admin":
            return True
        if self.role != role:
            return False
        return scope is None or ALL_SCOPES in self.scopes or scope in self.scopes


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyFile:
    """The key store: reloaded when the file changes, so `mutu keys revoke` takes effect live."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._keys: dict[str, ApiKey] = {}

    def keys(self) -> dict[str, ApiKey]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return {}
        if mtime != self._mtime:
            raw = json.loads(self.path.read_text())
            self._keys = {
                k["key_id"]: ApiKey(**{**k, "scopes": tuple(k["scopes"])}) for k in raw.get("keys", [])
            }
            self._mtime = mtime
        return self._keys

    def verify(self, presented: str) -> ApiKey | None:
        """The key a bearer token stands for, or None; compares digests in constant time."""
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX:  # noqa: PLR2004 - mutu_<id>_<secret>
            return None
        key = self.keys().get(parts[1])
        if key is None or not hmac.compare_digest(key.digest, _digest(presented)):
            return None
        return key

    def create(self, role: Role, scopes: tuple[str, ...] = (ALL_SCOPES,), name: str = "") -> str:
        """Add a key and return its token; only the digest is stored."""
        key_id = secrets.token_hex(6)
        token = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(24)}"
        self._write([*self.keys().values(), ApiKey(key_id, role, _digest(token), scopes, name)])
        return token

    def revoke(self, key_id: str) -> bool:
        keys = self.keys()
        if key_id not in keys:
            return False
        keys[key_id] = ApiKey(**{**asdict(keys[key_id]), "revoked": True})
        self._write(list(keys.values()))
        return True

    def _write(self, keys: list[ApiKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"keys": [asdict(k) for k in keys]}, indent=2))
        tmp.chmod(0o600)
        tmp.replace(self.path)
        self._mtime = None
