"""The unit rule and its outcomes, judged at a quarter's close and again when late answers arrive."""

import datetime as dt
from typing import Any

from services.evaluation import ikm, judgements, metrics, satisfaction
from services.evaluation.closing import Closures
from services.evaluation.repository import Tallies, UnitQuarters, decided
from services.evaluation.rules import Rules
from services.evaluation.soon import Soon
from shared.contract.calendar import quarters_after, semester_quarters


class UnitRule:
    """Judges a unit's closed quarter from its tallies; each recommendation fires once per key."""

    def __init__(
        self,
        tallies: Tallies,
        quarters: UnitQuarters,
        rules: Rules,
        closures: Closures,
        *,
        expiry_quarters: int = 4,
        delay: float = 0.5,
    ) -> None:
        self._tallies = tallies
        self._quarters = quarters
        self._rules = rules
        self._closures = closures
        self._expiry = expiry_quarters
        self.soon = Soon(self._judge_now, delay=delay, name="unit rule")

    async def _judge_now(self, unit_id: str, period: str) -> None:
        await self.evaluate(unit_id, period, self._closures.clock())

    async def tallies(self, unit_id: str | None, periods: list[str]) -> dict[str, dict[str, ikm.Tally]]:
        return satisfaction.by_unit(await self._tallies.shards(unit_id, periods))

    def describe(self, unit_id: str, period: str, by_channel: dict[str, ikm.Tally]) -> dict[str, Any]:
        """The IKM of a unit and period (and the unit's IKM gauge refreshed)."""
        body = satisfaction.describe(unit_id, period, by_channel, self._rules.ikm.weights_for(unit_id))
        if body["converted"] is not None:
            metrics.IKM.labels(unit_id, period).set(body["converted"])
        return body

    async def evaluate(self, unit_id: str, period: str, now: dt.datetime) -> int:
        """The rule on a closed quarter (late answers re-judge it), then the unit's open outcomes."""
        if not await self._closures.is_closed(period):
            return 0  # period rules wait for the close
        empty = dict.fromkeys(satisfaction.CHANNELS, ikm.EMPTY)
        by_channel = (await self.tallies(unit_id, [period])).get(unit_id, empty)
        self.describe(unit_id, period, by_channel)
        windows = [([period], by_channel)]
        semester = semester_quarters(period)
        if semester != [period] and not await self._judged_alone(unit_id, semester[:-1]):
            windows.append((semester, (await self.tallies(unit_id, semester)).get(unit_id, empty)))
        opened = self._rules.calendar.quarter_end(period).isoformat()
        found = judgements.judge_unit(unit_id, period, windows, self._rules.unit, opened)
        fired = await decided(
            self._quarters,
            f"{unit_id}:{period}",
            lambda quarter: satisfaction.unit_fired(quarter, unit_id, period, found, now),
            counted=lambda outcome: sum(e.type == "RetrainingRecommended" for e in outcome.publish),
        )
        await self.follow_up(unit_id, now)
        return fired

    async def _judged_alone(self, unit_id: str, quarters: list[str]) -> bool:
        """Whether an earlier quarter of the semester had enough answers to be judged on its own.

        Then the semester is no fallback: it would judge that quarter's answers a second time.
        """
        for quarter in quarters:
            found = (await self.tallies(unit_id, [quarter])).get(unit_id, {})
            if sum(found.values(), ikm.EMPTY).count >= self._rules.unit.min_responses:
                return True
        return False

    async def follow_up(self, unit_id: str | None, now: dt.datetime) -> int:
        """Done or expired, for open unit recommendations, from the closed quarters after theirs."""
        closed_through = await self._closures.closed_through()
        resolved = 0
        for quarter in await self._quarters.with_open(unit_id):
            unit, opened = quarter.unit_id, quarter.period
            if unit is None or opened is None:
                continue
            later = [
                (period, (await self.tallies(unit, [period])).get(unit, {}))
                for period in quarters_after(opened, closed_through)
            ]
            if later:
                resolved += await self._resolve(f"{unit}:{opened}", later, now)
        return resolved

    async def _resolve(
        self, key: str, later: list[tuple[str, dict[str, ikm.Tally]]], now: dt.datetime
    ) -> int:
        return await decided(
            self._quarters,
            key,
            lambda state: satisfaction.unit_outcomes(state, later, self._rules.unit, self._expiry, now),
        )
