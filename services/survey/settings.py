"""Settings of the survey service (environment variables, see the README)."""

from pydantic import Field

from shared.contract.fields import Text
from shared.settings import ServiceSettings

ServiceType = Text
# What a kelurahan office serves (surat pengantar and keterangan are most of the counter's work).
KELURAHAN_SERVICES = (
    "KTP-el",
    "KK",
    "akta kelahiran",
    "akta kematian",
    "surat pindah",
    "SKTM",
    "surat keterangan usaha",
    "surat keterangan domisili",
    "surat pengantar nikah",
    "IMB",
    "legalisasi dokumen",
)


class SurveySettings(ServiceSettings):
    port: int = 8002
    responses_max_body_bytes: int = 16 * 1024
    responses_rate_per_second: float = 5.0
    responses_burst: int = 60
    # Service users per unit per quarter (K&M minimum sample); JSON env, e.g. {"kel-candisari": 1000}.
    populations: dict[str, int] = Field(default_factory=dict)
    default_population: int = 1000
    # The services a unit offers, from which a response's service_type must come; JSON env,
    # e.g. {"kel-candi": ["KTP-el", "KK"]}. Units not listed offer DEFAULT_SERVICE_TYPES.
    service_types: dict[str, list[ServiceType]] = Field(default_factory=dict)
    default_service_types: list[ServiceType] = Field(default_factory=lambda: list(KELURAHAN_SERVICES))

    def service_types_for(self, unit_id: str) -> tuple[str, ...]:
        return tuple(self.service_types.get(unit_id, self.default_service_types))

    # Days a service ticket (POST /tickets) stays usable.
    ticket_ttl_days: int = Field(default=14, ge=1, le=366)

    # Public base address of the survey pages (printed in QR codes); unset: the address asked for.
    public_url: str | None = None
