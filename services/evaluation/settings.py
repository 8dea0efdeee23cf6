"""Settings of the evaluation service (environment variables, see the README)."""

from pathlib import Path

from shared.settings import PORTS, ServiceSettings


class EvaluationSettings(ServiceSettings):
    port: int = PORTS["evaluation"]
    rules_file: Path | None = None
