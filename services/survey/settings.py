"""Settings of the survey service (environment variables, see the README)."""

from pydantic import Field

from shared.settings import PORTS, ServiceSettings


class SurveySettings(ServiceSettings):
    port: int = PORTS["survey"]
    responses_max_body_bytes: int = 16 * 1024
    responses_rate_per_second: float = 5.0
    responses_burst: int = 60
    # Service users per unit per quarter (K&M minimum sample); JSON env, e.g. {"kel-candisari": 1000}.
    populations: dict[str, int] = Field(default_factory=dict)
    default_population: int = 1000
