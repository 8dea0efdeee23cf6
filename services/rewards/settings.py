"""Settings of the rewards service (environment variables, see the README)."""

from shared.settings import ServiceSettings


class RewardsSettings(ServiceSettings):
    port: int = 8004
