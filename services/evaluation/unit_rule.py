"""The unit rule, run after responses arrive (debounced per unit and quarter) or at quarter end."""

import asyncio
import logging
from typing import Any

from services.evaluation import ikm, judgements, metrics, satisfaction
from services.evaluation.model import UnitQuarter
from services.evaluation.repository import Tallies, UnitQuarters
from services.evaluation.rules import Rules
from shared.persistence.state_store import Outcome

logger = logging.getLogger(__name__)


class UnitRule:
    """Judges a unit's quarter from its tallies; each recommendation fires once per key."""

    def __init__(self, tallies: Tallies, quarters: UnitQuarters, rules: Rules, delay: float = 0.5) -> None:
        self._tallies = tallies
        self._quarters = quarters
        self._rules = rules
        self._delay = delay
        self._scheduled: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def soon(self, unit_id: str, period: str) -> None:
        if (unit_id, period) in self._scheduled:
            return
        self._scheduled.add((unit_id, period))
        task = asyncio.create_task(self._later(unit_id, period))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _later(self, unit_id: str, period: str) -> None:
        await asyncio.sleep(self._delay)
        self._scheduled.discard((unit_id, period))
        try:
            await self.evaluate(unit_id, period)
        except Exception:  # the quarter-end run evaluates it again
            logger.exception("unit rule evaluation failed unit=%s period=%s", unit_id, period)

    async def tallies(self, unit_id: str | None, periods: list[str]) -> dict[str, dict[str, ikm.Tally]]:
        return satisfaction.by_unit(await self._tallies.shards(unit_id, periods))

    def describe(self, unit_id: str, period: str, by_channel: dict[str, ikm.Tally]) -> dict[str, Any]:
        """The IKM of a unit and period (and the unit's IKM gauge refreshed)."""
        body = satisfaction.describe(unit_id, period, by_channel, self._rules.ikm.weights_for(unit_id))
        if body["converted"] is not None:
            metrics.IKM.labels(unit_id, period).set(body["converted"])
        return body

    async def evaluate(self, unit_id: str, period: str) -> int:
        empty = dict.fromkeys(satisfaction.CHANNELS, ikm.EMPTY)
        by_channel = (await self.tallies(unit_id, [period])).get(unit_id, empty)
        self.describe(unit_id, period, by_channel)
        found = judgements.judge_unit(unit_id, period, by_channel, self._rules.unit)
        if not found:
            return 0
        fired: list[int] = [0]

        def decide(quarter: UnitQuarter) -> Outcome[UnitQuarter] | None:
            outcome = satisfaction.unit_fired(quarter, unit_id, period, found)
            fired[0] = len(outcome.publish) if outcome else 0
            return outcome

        await self._quarters.update(f"{unit_id}:{period}", decide)
        return fired[0]
