"""Composition root of the evaluation service."""

from fastapi import FastAPI

from services.evaluation import metrics, model, routes, rules, subscribers
from services.evaluation.repository import MongoPeople, MongoTallies, MongoUnitQuarters
from services.evaluation.settings import EvaluationSettings
from services.evaluation.unit_rule import UnitRule
from shared.runtime import Runtime


def create_app(settings: EvaluationSettings) -> FastAPI:
    runtime = Runtime("evaluation", settings)
    runtime.produces += model.PUBLISHES
    metrics.count_recommendations(runtime.publisher)
    active = rules.load(settings.rules_file).in_zone(settings.programme_timezone)
    people = MongoPeople(runtime.aggregates("people"))
    tallies = MongoTallies(runtime.aggregates("ikm_shards"))
    quarters = MongoUnitQuarters(runtime.aggregates("units"))
    unit_rule = UnitRule(tallies, quarters, active)
    runtime.on_start += [tallies.create_indexes, people.create_indexes]
    subscribers.subscribe(runtime, people=people, tallies=tallies, unit_rule=unit_rule, rules=active)
    routers = routes.build_routes(
        auth=runtime.auth,
        units=runtime.units,
        people=people,
        quarters=quarters,
        unit_rule=unit_rule,
        rules=active,
    )
    return runtime.app(title="Mutu evaluation", routers=routers)
