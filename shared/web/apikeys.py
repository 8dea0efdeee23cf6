"""API keys: stored hashed in a JSON file, with a role (integrator, reader, admin) and scopes."""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from shared.contract import events
from shared.web.secret_file import SecretFile

Role = Literal["integrator", "reader", "admin"]
ROLES: tuple[Role, ...] = ("integrator", "reader", "admin")
ALL_SCOPES = "*"
PREFIX = "mutu"
# What an integrator key may be scoped to: the event types it may post, plus these route families.
ROUTE_SCOPES = ("xapi", "enrolments", "groups", "redemptions", "roster", "tickets")
SCOPES: tuple[str, ...] = (*events.BY_TYPE, *ROUTE_SCOPES)
MAX_TOKEN_LENGTH = 128  # a real token is ~50 characters; longer ones are not even hashed


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


def _digest(token: str) -> str:
    """SHA-256 of the whole token: it holds 192 random bits, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


class KeyFile:
    """The key store: reloaded when the file changes, so `mutu keys revoke` takes effect live."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SecretFile(path, _keys_of)

    def keys(self) -> dict[str, ApiKey]:
        return self._file.records()

    def verify(self, presented: str) -> ApiKey | None:
        """The live key a bearer token stands for, or None; compares digests in constant time."""
        if len(presented) > MAX_TOKEN_LENGTH:
            return None
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != PREFIX:  # noqa: PLR2004 - mutu_<id>_<secret>
            return None
        key = self.keys().get(parts[1])
        if key is None or not hmac.compare_digest(key.digest, _digest(presented)) or key.revoked:
            return None
        return key

    def create(self, role: Role, scopes: tuple[str, ...] = (ALL_SCOPES,), name: str = "") -> str:
        """Add a key and return its token; only the digest is stored."""
        if role not in ROLES:
            msg = f"role must be one of {', '.join(ROLES)}"
            raise ValueError(msg)
        unknown = sorted(set(scopes) - {ALL_SCOPES, *SCOPES})
        if unknown or not scopes:
            msg = f"unknown scopes {unknown}; known: {', '.join(SCOPES)}"
            raise ValueError(msg)
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
        self._file.write({"keys": [asdict(k) for k in keys]})


def _keys_of(raw: dict[str, Any]) -> dict[str, ApiKey]:
    return {k["key_id"]: ApiKey(**{**k, "scopes": tuple(k["scopes"])}) for k in raw.get("keys", [])}
