"""Unmet demand: the plan of a period from the store's counts and the upcoming catalogue."""

import datetime as dt

from services.training.model import planning
from services.training.repository import Repositories
from shared.contract.calendar import Calendar


async def plan(
    period: str,
    *,
    repos: Repositories,
    calendar: Calendar,
    default_timezone: str,
    now: dt.datetime,
) -> planning.Plan:
    """Open recommendations per competency (counted by the store) against the seats still to come."""
    demand = await repos.people.demand()
    upcoming = await repos.programmes.listing(competency=None, method=None, starts_after=now)
    return planning.plan(
        period, demand, upcoming, calendar=calendar, now=now, default_timezone=default_timezone
    )
