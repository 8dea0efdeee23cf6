"""Settings of the rewards service (environment variables, see the README)."""

from shared.settings import PORTS, ServiceSettings


class RewardsSettings(ServiceSettings):
    port: int = PORTS["rewards"]
