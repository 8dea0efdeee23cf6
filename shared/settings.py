"""Settings from environment variables (pydantic-settings); built once per process, passed down."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.contract.calendar import Calendar, Timezone
from shared.persistence.storage import ReadPreference, StoreOptions

SECRETS = Path("/run/secrets")


class ServiceSettings(BaseSettings):
    """What every service reads from the environment (names are the upper-case field names)."""

    # Docker secrets: a file /run/secrets/<field> (e.g. amqp_url) is read when the variable is unset.
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", secrets_dir=SECRETS if SECRETS.is_dir() else None
    )

    uses_store: ClassVar[bool] = True  # the portal reads HTTP APIs only

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    mongodb_url: str | None = None
    # Database names are "<prefix><service>", so tests and several deployments can share a store.
    mongodb_db_prefix: str = "mutu_"
    host: str = "127.0.0.1"
    port: int = 8000
    var_dir: Path = Path("var")
    api_keys_file: Path | None = None
    # The programme's units (shared/contract/units.py); unset: Kecamatan Candisari and its seven kelurahan.
    units_file: Path | None = None
    # The forum topics (shared/contract/topics.py); unset: the default list (default_topics.toml).
    topics_file: Path | None = None
    users_file: Path | None = None
    prefetch: int = Field(default=64, ge=1, le=1000)
    delivery_limit: int = Field(default=5, ge=1, le=50)
    outbox_sweep_seconds: float = Field(default=5.0, gt=0)
    log_level: str = "INFO"
    log_json: bool = True
    otel_exporter_otlp_endpoint: str | None = None
    max_body_bytes: int = 1024 * 1024
    # The storage guard: a write that would make a document larger is refused (MongoDB's cap is 16 MB).
    max_document_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, le=16 * 1024 * 1024)
    # How long a document remembers the ids of events it applied that have no natural key
    # (shared/persistence/inbox.py): longer than any redelivery, outbox republish or dead-letter replay.
    inbox_retention_days: int = Field(default=30, ge=1, le=3650)
    # Documents of a hot collection a process plans on as it last wrote them, without reading them
    # again (shared/persistence/group_commit.py); 0 reads every document before every batch.
    remembered_documents: int = Field(default=1000, ge=0, le=100_000)
    # Comma-separated addresses or networks (or "*") whose X-Forwarded-For/-Proto are believed.
    # Empty (the default): forwarded headers are ignored and the client is the TCP peer.
    trusted_proxies: str = ""

    @property
    def proxies(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    # Year, semester and quarter of any instant are its date in this zone (shared/contract/calendar.py).
    programme_timezone: Timezone = "Asia/Jakarta"

    @property
    def calendar(self) -> Calendar:
        return Calendar(self.programme_timezone)

    # Replica set / sharded cluster client options (shared.persistence.storage.StoreOptions).
    mongodb_write_concern: str | int = "majority"
    mongodb_wtimeout_ms: int = Field(default=10_000, ge=0)
    mongodb_journal: bool = True
    mongodb_read_preference: ReadPreference = "primary"
    mongodb_retry_writes: bool = True
    mongodb_retry_reads: bool = True
    mongodb_timeout_ms: int = Field(default=5000, gt=0)
    mongodb_socket_timeout_ms: int = Field(default=30_000, gt=0)

    @field_validator("mongodb_write_concern", mode="before")
    @classmethod
    def _write_concern_number(cls, value: object) -> object:
        """A name ("majority", a tag set) stays a name; "1" from the environment is a node count."""
        return int(value) if isinstance(value, str) and value.isdigit() else value

    @property
    def store_options(self) -> StoreOptions:
        return StoreOptions(
            write_concern=self.mongodb_write_concern,
            wtimeout_ms=self.mongodb_wtimeout_ms,
            journal=self.mongodb_journal,
            read_preference=self.mongodb_read_preference,
            retry_writes=self.mongodb_retry_writes,
            retry_reads=self.mongodb_retry_reads,
            timeout_ms=self.mongodb_timeout_ms,
            socket_timeout_ms=self.mongodb_socket_timeout_ms,
        )

    @property
    def keys_file(self) -> Path:
        return self.api_keys_file or self.var_dir / "api-keys.json"

    @property
    def users_path(self) -> Path:
        return self.users_file or self.var_dir / "portal-users.json"
