"""A small JSON file of secrets (key digests, password hashes): re-read on change, written owner-only."""

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class SecretFile[T]:
    """Records by name, parsed from `path`; a file that cannot be read keeps the records last read.

    Re-read on every change of its modification time, so an operator's command (revoke a key,
    remove a user) takes effect in running services without a restart. A broken file never lets
    anyone in: the records last read (none at first) stay.
    """

    def __init__(self, path: Path, parse: Callable[[dict[str, Any]], dict[str, T]]) -> None:
        self.path = path
        self._parse = parse
        self._mtime: float | None = None
        self._records: dict[str, T] = {}

    def records(self) -> dict[str, T]:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return {}
        if mtime != self._mtime:
            try:
                self._records = self._parse(json.loads(self.path.read_text()))
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                logger.exception("%s is unreadable; keeping the records last read", self.path)
                return self._records
            self._mtime = mtime
        return self._records

    def write(self, content: dict[str, Any]) -> None:
        """Replace the file atomically; owner-only (0600) from the start."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(json.dumps(content, indent=2))
        tmp.replace(self.path)
        self._mtime = None
