"""The forum rule: feedback kept per unit and quarter, judged at the close and again on late items."""

import datetime as dt
from typing import Any

from services.evaluation import forum_signals
from services.evaluation.closing import Closures
from services.evaluation.model import ForumQuarter
from services.evaluation.repository import ForumQuarters, UnitQuarters, decided
from services.evaluation.soon import Soon
from shared.contract import envelope, events
from shared.contract.calendar import Calendar, quarters_after
from shared.contract.topics import Topics


class ForumRule:
    """Counts FeedbackReceived per unit-quarter; recommends on a closed quarter, once per topic."""

    def __init__(
        self,
        forums: ForumQuarters,
        quarters: UnitQuarters,
        topics: Topics,
        closures: Closures,
        calendar: Calendar,
        *,
        minimum: int = 5,
        expiry_quarters: int = 4,
        delay: float = 0.5,
    ) -> None:
        self._forums = forums
        self._quarters = quarters
        self.topics = topics
        self._closures = closures
        self._calendar = calendar
        self.minimum = minimum
        self._expiry = expiry_quarters
        self.soon = Soon(self._judge_now, delay=delay, name="forum rule")

    async def record(self, received: envelope.CloudEvent[events.FeedbackReceived]) -> bool:
        """Keep the item in its unit's quarter (once per feedback id); a closed quarter is judged again."""
        item = received.data
        period = self._calendar.quarter_of(item.received_at)
        fresh = await self._forums.update(
            f"{item.unit_id}:{period}",
            lambda quarter: forum_signals.counted(quarter, item, received.id, period),
            event_id=forum_signals.item_key(item.feedback_id),
        )
        if await self._closures.is_closed(period):  # late data: judged again, same firing keys
            self.soon(item.unit_id, period)
        return fresh

    async def _judge_now(self, unit_id: str, period: str) -> None:
        await self.evaluate(unit_id, period, self._closures.clock())

    async def units_with_feedback(self, period: str) -> list[str]:
        return sorted({q.unit_id for q in await self._forums.of_period(None, period) if q.unit_id})

    async def evaluate(self, unit_id: str, period: str, now: dt.datetime) -> int:
        """The rule on a closed quarter of the unit (again when late items come), then its outcomes."""
        if not await self._closures.is_closed(period):
            return 0  # period rules wait for the close
        found = forum_signals.judge_forum(
            unit_id,
            period,
            await self._forums.get(f"{unit_id}:{period}"),
            topics=self.topics,
            minimum=self.minimum,
            opened_at=self._calendar.quarter_end(period).isoformat(),
        )
        fired = 0
        if found:
            fired = await decided(
                self._quarters,
                f"{unit_id}:{period}",
                lambda quarter: forum_signals.forum_fired(quarter, unit_id, period, found, now),
            )
        await self.follow_up(unit_id, now)
        return fired

    async def follow_up(self, unit_id: str | None, now: dt.datetime) -> int:
        """Done or expired, for open forum recommendations, from the closed quarters after theirs."""
        closed_through = await self._closures.closed_through()
        resolved = 0
        for quarter in await self._quarters.with_open(unit_id):
            unit, opened = quarter.unit_id, quarter.period
            if unit is None or opened is None:
                continue
            if not any(f.rule_id == forum_signals.RULE_ID for f in quarter.firings.values()):
                continue
            later = [
                (period, await self._forums.get(f"{unit}:{period}"))
                for period in quarters_after(opened, closed_through)
            ]
            if later:
                resolved += await self._resolve(f"{unit}:{opened}", later, now)
        return resolved

    async def _resolve(self, key: str, later: list[tuple[str, ForumQuarter | None]], now: dt.datetime) -> int:
        return await decided(
            self._quarters,
            key,
            lambda state: forum_signals.forum_outcomes(state, later, self.minimum, self._expiry, now),
        )

    async def signals(self, unit_id: str | None, period: str) -> dict[str, Any]:
        """Complaints per unit and topic in `period`, the minimum, and whether the quarter is closed."""
        units = []
        for quarter in sorted(await self._forums.of_period(unit_id, period), key=lambda q: q.unit_id or ""):
            by_topic = forum_signals.complaints_by_topic(quarter)
            topics = [
                {
                    "topic_code": code or None,
                    "topic": topic.name if (topic := self.topics.get(code or None)) else None,
                    "competency": topic.competency if topic else None,
                    "complaints": len(items),
                    "signal": topic is not None and len(items) >= self.minimum,
                }
                for code, items in by_topic.items()
            ]
            units.append({"unit_id": quarter.unit_id, "items": len(quarter.items), "topics": topics})
        return {
            "period": period,
            "minimum": self.minimum,
            "closed": await self._closures.is_closed(period),
            "units": units,
        }
