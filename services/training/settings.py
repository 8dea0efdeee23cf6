"""Settings of the training service (environment variables, see the README)."""

from pydantic import Field

from shared.contract.calendar import Timezone
from shared.contract.fields import Code
from shared.settings import ServiceSettings


class TrainingSettings(ServiceSettings):
    port: int = 8001
    # Competency codes beyond the documented six (JSON list, e.g. '["budgeting"]').
    extra_competencies: tuple[Code, ...] = ()
    minutes_per_jp: int = Field(default=45, ge=1, le=120)
    # The timezone a programme's schedule is shown in when the programme names none.
    default_timezone: Timezone = "Asia/Jakarta"
    # How often each instance recomputes the unmet-demand gauge from the store (GET /planning's figures).
    planning_refresh_seconds: float = Field(default=60.0, gt=0)
