"""Settings of the training service (environment variables, see the README)."""

from shared.settings import PORTS, ServiceSettings


class TrainingSettings(ServiceSettings):
    port: int = PORTS["training"]
