"""Settings of the evaluation service (environment variables, see the README)."""

from pathlib import Path

from pydantic import Field

from shared.settings import ServiceSettings


class EvaluationSettings(ServiceSettings):
    port: int = 8003
    rules_file: Path | None = None
    quarter_close_grace_days: int = Field(7, ge=0, le=90)  # a quarter closes this long after its end
    quarter_close_check_seconds: float = Field(60.0, gt=0)  # how often the scheduler looks
    recommendation_expiry_quarters: int = Field(4, ge=1, le=20)  # later closed quarters with data
    # Complaints on one topic (TOPICS_FILE) for a unit in a closed quarter that recommend retraining it.
    forum_complaints_min: int = Field(5, ge=1, le=10_000)
