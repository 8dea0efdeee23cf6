"""Settings of the survey service (environment variables, see the README)."""

from shared.settings import PORTS, ServiceSettings


class SurveySettings(ServiceSettings):
    port: int = PORTS["survey"]
