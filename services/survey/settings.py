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
    # Service types a respondent can pick, per unit (JSON env SERVICE_TYPES) or the default list.
    service_types: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    default_service_types: tuple[str, ...] = ("KTP-el", "KK", "akta", "surat pindah", "SKTM", "lainnya")
    # Public base address of the survey pages (printed in QR codes); unset: the address asked for.
    public_url: str | None = None

    def service_types_for(self, unit_id: str) -> tuple[str, ...]:
        return self.service_types.get(unit_id, self.default_service_types)
