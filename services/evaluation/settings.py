"""Settings of the evaluation service (environment variables, see the README)."""

from pathlib import Path

from shared.settings import ServiceSettings


class EvaluationSettings(ServiceSettings):
    port: int = 8003
    rules_file: Path | None = None
