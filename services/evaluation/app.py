"""Composition root of the evaluation service."""

import datetime as dt
import logging

from fastapi import FastAPI

from services.evaluation import handlers, metrics, model, routes, rules, subscribers
from services.evaluation.closing import Closures, QuarterScheduler
from services.evaluation.forum_rule import ForumRule
from services.evaluation.repository import (
    MongoForumQuarters,
    MongoPeople,
    MongoQuarterCloses,
    MongoTallies,
    MongoUnitQuarters,
)
from services.evaluation.settings import EvaluationSettings
from services.evaluation.unit_rule import UnitRule
from shared.contract.calendar import Clock, utc_now
from shared.contract.topics import TopicsFileError
from shared.runtime import Runtime

logger = logging.getLogger(__name__)


def create_app(settings: EvaluationSettings, clock: Clock = utc_now) -> FastAPI:
    runtime = Runtime("evaluation", settings)
    runtime.produces += model.PUBLISHES
    metrics.count_recommendations(runtime.publisher)
    active = rules.load(settings.rules_file).in_zone(settings.programme_timezone)
    unknown = runtime.topics.unknown_competencies(active.competencies)
    if unknown:  # checked at start-up, as the rules are
        msg = f"topics with competencies the rules do not know: {', '.join(unknown)}"
        raise TopicsFileError(msg)
    people = MongoPeople(runtime.aggregates("people", hot=True))
    tallies = MongoTallies(runtime.aggregates("ikm_shards"))
    quarters = MongoUnitQuarters(runtime.aggregates("units"))
    closes = MongoQuarterCloses(runtime.aggregates("quarters"))
    closures = Closures(closes, active.calendar, grace_days=settings.quarter_close_grace_days, clock=clock)
    unit_rule = UnitRule(
        tallies, quarters, active, closures, expiry_quarters=settings.recommendation_expiry_quarters
    )
    forums = MongoForumQuarters(runtime.aggregates("forum_signals"))
    forum_rule = ForumRule(
        forums,
        quarters,
        runtime.topics,
        closures,
        active.calendar,
        minimum=settings.forum_complaints_min,
        expiry_quarters=settings.recommendation_expiry_quarters,
    )

    async def judge(period: str, now: dt.datetime) -> object:
        return await handlers.judge_quarter(
            period, now, people=people, unit_rule=unit_rule, rules=active, forum_rule=forum_rule
        )

    scheduler = QuarterScheduler(closures, judge, interval=settings.quarter_close_check_seconds)
    runtime.on_start += [
        tallies.create_indexes,
        people.create_indexes,
        quarters.create_indexes,
        forums.create_indexes,
    ]

    async def reindex() -> None:
        try:
            await handlers.reindex_passes(people=people, rules=active)
        except Exception:  # the next start tries again; reads miss only records written before it
            logger.exception("indexing passes of older records failed")

    runtime.background += [scheduler.run, reindex]
    subscribers.subscribe(
        runtime,
        people=people,
        tallies=tallies,
        quarters=quarters,
        unit_rule=unit_rule,
        forum_rule=forum_rule,
        closures=closures,
        rules=active,
    )
    routers = routes.build_routes(
        auth=runtime.auth,
        units=runtime.units,
        people=people,
        quarters=quarters,
        unit_rule=unit_rule,
        forum_rule=forum_rule,
        closures=closures,
        rules=active,
    )
    return runtime.app(title="Mutu evaluation", routers=routers)
