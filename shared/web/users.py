"""Dashboard users: a JSON file of names, roles and Argon2 password hashes (never passwords)."""

import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.web.secret_file import SecretFile

Role = Literal["manager"]
ROLES: tuple[Role, ...] = ("manager",)
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256  # longer input is not even hashed
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str


class UserFile:
    """The users of the portal, re-read when the file changes (so `mutu users` takes effect live)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = SecretFile(path, _users_of)

    def users(self) -> dict[str, User]:
        return self._file.records()

    def verify(self, name: str, password: str) -> User | None:
        """The user if the password is theirs, else None (in about the same time either way)."""
        user = self.users().get(name)
        if len(password) > MAX_PASSWORD:
            return None
        try:
            _hasher.verify(user.password_hash if user else _DUMMY, password)
        except (VerificationError, InvalidHashError):
            return None
        return user

    def create(self, name: str, role: Role, password: str | None = None) -> str:
        """Add (or reset) a user and return the password; a generated one if none is given."""
        if not NAME.match(name):
            msg = "user names are 2-64 characters: lower-case letters, digits, '.', '_' or '-'"
            raise ValueError(msg)
        if role not in ROLES:
            msg = f"role must be one of {', '.join(ROLES)}"
            raise ValueError(msg)
        password = password or secrets.token_urlsafe(12)
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            msg = f"passwords have {MIN_PASSWORD} to {MAX_PASSWORD} characters"
            raise ValueError(msg)
        users = self.users() | {name: User(name, role, _hasher.hash(password))}
        self._write(list(users.values()))
        return password

    def remove(self, name: str) -> bool:
        users = dict(self.users())
        if users.pop(name, None) is None:
            return False
        self._write(list(users.values()))
        return True

    def _write(self, users: list[User]) -> None:
        self._file.write({"users": [asdict(u) for u in users]})


def _users_of(raw: dict[str, Any]) -> dict[str, User]:
    return {u["name"]: User(**u) for u in raw.get("users", [])}
