"""Closed quarters: which quarters are closed, the once-only claim of a close, and its scheduler.

A quarter closes QUARTER_CLOSE_GRACE_DAYS after its end in the programme calendar (by itself,
through `QuarterScheduler`), or earlier through an admin's run of an ended quarter. Quarters
close in order, so "closed" is one mark: the latest closed quarter. Several instances may tick
at once: the close is a `quarters` document claimed with the version guard, so one instance
judges it; a claim not marked judged within LEASE is taken over (judging is idempotent).
"""

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from services.evaluation.model import QuarterClose
from services.evaluation.repository import QuarterCloses
from shared.contract.calendar import Calendar, Clock, previous_quarter, utc_now
from shared.persistence.state_store import Outcome

logger = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=15)
LOOKBACK = 2  # quarters the scheduler checks each tick (a service down across a boundary)
Judge = Callable[[str, dt.datetime], Awaitable[object]]


class Closures:
    """Which quarters are closed: the clock's (end + grace days), or a stored earlier close."""

    def __init__(
        self, closes: QuarterCloses, calendar: Calendar, *, grace_days: int = 7, clock: Clock = utc_now
    ) -> None:
        self._closes = closes
        self._calendar = calendar
        self.grace = dt.timedelta(days=grace_days)
        self.clock = clock
        self._stored: str | None = None  # the latest stored close seen (a close is never undone)

    def due_through(self, now: dt.datetime) -> str:
        """The latest quarter whose end plus the grace days has passed at `now`."""
        quarter = previous_quarter(self._calendar.quarter_of(now))
        while self._calendar.quarter_end(quarter) + self.grace > now:
            quarter = previous_quarter(quarter)
        return quarter

    async def refresh(self) -> None:
        latest = await self._closes.latest_closed()
        if latest is not None and (self._stored is None or latest > self._stored):
            self._stored = latest

    async def closed_through(self) -> str:
        due = self.due_through(self.clock())
        return max(due, self._stored) if self._stored else due

    async def is_closed(self, period: str) -> bool:
        return period <= await self.closed_through()

    async def claim(self, period: str, *, by: str, now: dt.datetime) -> bool:
        """True for the one caller that closes `period` (or takes over a close left unjudged)."""
        claimed = [False]

        def decide(state: QuarterClose) -> Outcome[QuarterClose] | None:
            claimed[0] = False
            if state.judged_at is not None and by == "scheduler":
                return None
            if state.closed_at is not None and dt.datetime.fromisoformat(state.closed_at) + LEASE > now:
                return None
            claimed[0] = True
            changes = {"period": period, "closed_at": now.isoformat(), "closed_by": by, "judged_at": None}
            return Outcome(state.model_copy(update=changes))

        await self._closes.update(period, decide)
        if claimed[0] and (self._stored is None or period > self._stored):
            self._stored = period
        return claimed[0]

    async def judged(self, period: str, now: dt.datetime) -> None:
        def decide(state: QuarterClose) -> Outcome[QuarterClose] | None:
            return Outcome(state.model_copy(update={"period": period, "judged_at": now.isoformat()}))

        await self._closes.update(period, decide)

    async def mark_run(self, period: str, now: dt.datetime) -> None:
        """An admin's early run: the ended quarter counts as closed from now on."""

        def decide(state: QuarterClose) -> Outcome[QuarterClose] | None:
            if state.closed_at is not None:
                return None
            changes = {"period": period, "closed_at": now.isoformat(), "closed_by": "run"}
            return Outcome(state.model_copy(update=changes))

        await self._closes.update(period, decide)
        if self._stored is None or period > self._stored:
            self._stored = period


class QuarterScheduler:
    """Closes each quarter once, after its grace days, whichever instance gets there first."""

    def __init__(self, closures: Closures, judge: Judge, *, interval: float = 60.0) -> None:
        self._closures = closures
        self._judge = judge
        self._interval = interval

    async def tick(self) -> list[str]:
        """Close the quarters now due (at most LOOKBACK); the ones this instance closed."""
        now = self._closures.clock()
        await self._closures.refresh()
        due = [self._closures.due_through(now)]
        while len(due) < LOOKBACK:
            due.insert(0, previous_quarter(due[0]))
        closed = []
        for period in due:
            if await self._closures.claim(period, by="scheduler", now=now):
                logger.info("closing quarter %s", period)
                await self._judge(period, now)
                await self._closures.judged(period, now)
                closed.append(period)
        return closed

    async def run(self) -> None:
        """The background task: tick, then wait; a failed tick is logged and retried next time."""
        while True:
            try:
                await self.tick()
            except Exception:
                logger.exception("quarter close failed; retried in %.0f s", self._interval)
            await asyncio.sleep(self._interval)
