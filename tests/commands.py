"""A PyMongo command listener that keeps the commands of one name a client sends (tests only)."""

from typing import Any

from pymongo import monitoring


class Commands(monitoring.CommandListener):
    """Every `name` command started through the client, as sent (e.g. "find", "update")."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == self.name:
            self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
