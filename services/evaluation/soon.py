"""Judging a unit's closed quarter a moment after late data for it arrived, a burst of it once."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class Soon:
    """`soon(unit_id, period)` runs `judge(unit_id, period)` after `delay` seconds, once per key pending.

    Failures are logged: the next late datum or the next run judges the quarter again.
    """

    def __init__(self, judge: Callable[[str, str], Awaitable[object]], *, delay: float, name: str) -> None:
        self._judge = judge
        self._delay = delay
        self._name = name
        self._scheduled: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, unit_id: str, period: str) -> None:
        if (unit_id, period) in self._scheduled:
            return
        self._scheduled.add((unit_id, period))
        task = asyncio.create_task(self._later(unit_id, period))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Until every pending judgement ran (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def _later(self, unit_id: str, period: str) -> None:
        await asyncio.sleep(self._delay)
        self._scheduled.discard((unit_id, period))
        try:
            await self._judge(unit_id, period)
        except Exception:
            logger.exception("%s evaluation failed unit=%s period=%s", self._name, unit_id, period)
