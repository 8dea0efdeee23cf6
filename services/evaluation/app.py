"""Composition root of the evaluation service."""

from fastapi import FastAPI

from services.evaluation import routes, rules, satisfaction, subscribers
from services.evaluation.settings import EvaluationSettings
from shared import events
from shared.runtime import Runtime


def create_app(settings: EvaluationSettings) -> FastAPI:
    runtime = Runtime("evaluation", settings)
    runtime.produces += [events.PerformanceAppraised, events.RewardTriggered, events.RetrainingRecommended]
    active = rules.load(settings.rules_file)
    people = runtime.aggregates("people")
    tallies = runtime.aggregates("ikm_shards")
    units = runtime.aggregates("units")
    unit_rule = satisfaction.UnitRule(tallies, units, active)

    async def indexes() -> None:
        await tallies.collection.create_index([("period", 1), ("unit_id", 1)])
        await people.collection.create_index("open_recs", sparse=True)

    runtime.on_start.append(indexes)
    subscribers.subscribe(runtime, people=people, tallies=tallies, unit_rule=unit_rule, rules=active)
    routers = routes.build_routes(
        auth=runtime.auth, people=people, tallies=tallies, units=units, unit_rule=unit_rule, rules=active
    )
    return runtime.app(title="Mutu evaluation", routers=routers)
