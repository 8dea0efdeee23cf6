"""Settings of the portal (environment variables, see the README): where the services are, its keys."""

import contextlib
import os
import secrets
from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr

from shared.settings import ServiceSettings

SERVICES = ("training", "survey", "evaluation", "rewards")


class PortalSettings(ServiceSettings):
    uses_store: ClassVar[bool] = False

    port: int = 8000
    # The services' addresses: their default ports under `mutu run`.
    training_url: str = "http://127.0.0.1:8001"
    survey_url: str = "http://127.0.0.1:8002"
    evaluation_url: str = "http://127.0.0.1:8003"
    rewards_url: str = "http://127.0.0.1:8004"
    # Where citizens reach the survey form (links and QR codes); unset: survey_url.
    survey_public_url: str | None = None
    # The portal's own reader key; unset: read from VAR_DIR/portal-reader-key (made by `mutu run`).
    reader_key: SecretStr | None = None
    # Signs the session cookie; unset: a random one kept in VAR_DIR/portal-session-secret.
    session_secret: SecretStr | None = None
    session_hours: float = 8.0
    cookie_secure: bool = False  # set it behind HTTPS
    request_timeout_seconds: float = 5.0

    def urls(self) -> dict[str, str]:
        return {service: getattr(self, f"{service}_url").rstrip("/") for service in SERVICES}

    def reader_token(self) -> str:
        if self.reader_key is not None:
            return self.reader_key.get_secret_value()
        path = self.var_dir / "portal-reader-key"
        return path.read_text().strip() if path.exists() else ""

    def session_key(self) -> str:
        if self.session_secret is not None:
            return self.session_secret.get_secret_value()
        path: Path = self.var_dir / "portal-session-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as out:
                    out.write(secrets.token_urlsafe(32))
        return path.read_text().strip()
