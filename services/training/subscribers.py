"""Training's subscription table: RetrainingRecommended opens (and schedules) recommendations."""

import functools

from services.training.handlers import retraining
from services.training.repository import Repositories
from shared.contract import events
from shared.runtime import Runtime


def subscribe(runtime: Runtime, *, repos: Repositories) -> None:
    runtime.consume(events.RetrainingRecommended, functools.partial(retraining.recommend, repos=repos))
