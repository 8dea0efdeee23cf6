"""Training's own Prometheus metrics: unmet retraining demand per competency, refreshed from the store."""

import asyncio
import logging
from collections.abc import Iterable

from prometheus_client import Gauge

from services.training.handlers import planning
from services.training.model.planning import gaps
from services.training.repository import Repositories
from services.training.settings import TrainingSettings
from shared.contract.calendar import Clock, utc_now
from shared.observability.metrics import REGISTRY

logger = logging.getLogger(__name__)

UNMET_DEMAND = Gauge(
    "mutu_training_unmet_demand",
    "People with an open retraining recommendation beyond the free seats of upcoming programmes "
    "of the competency (the current quarter's plan, GET /planning).",
    ["competency"],
    registry=REGISTRY,
)


class DemandGauge:
    """Every instance computes the gauge from the shared store every PLANNING_REFRESH_SECONDS."""

    def __init__(
        self,
        repos: Repositories,
        settings: TrainingSettings,
        competencies: Iterable[str],
        clock: Clock = utc_now,
    ) -> None:
        self._repos = repos
        self._settings = settings
        self._competencies = sorted(competencies)
        self._clock = clock
        self._shown: set[str] = set()

    async def refresh(self) -> dict[str, int]:
        now = self._clock()
        calendar = self._settings.calendar
        found = await planning.plan(
            calendar.quarter_of(now),
            repos=self._repos,
            calendar=calendar,
            default_timezone=self._settings.default_timezone,
            now=now,
        )
        values = dict.fromkeys(self._shown, 0) | gaps(found, self._competencies)
        self._shown = set(values)
        for competency, gap in values.items():
            UNMET_DEMAND.labels(competency).set(gap)
        return values

    async def run(self) -> None:
        """The background task: refresh, then wait; a failed refresh is logged and tried again."""
        while True:
            try:
                await self.refresh()
            except Exception:
                logger.exception("unmet demand gauge not refreshed; next try in %.0f s", self._interval)
            await asyncio.sleep(self._interval)

    @property
    def _interval(self) -> float:
        return self._settings.planning_refresh_seconds
