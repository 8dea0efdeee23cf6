"""Read models (pure): a person's profile and the recommendations list, from the typed aggregates."""

from collections.abc import Iterable
from typing import Any

from services.evaluation.model import Firing, Person
from services.evaluation.repository import Target
from services.evaluation.rules import Rules


def profile(nip: str, person: Person, rules: Rules, *, year: str) -> dict[str, Any]:
    """`year` is the current programme year: always shown, with 0 JP when none counted yet."""
    firings = [f.model_dump(mode="json", exclude_none=True) for f in person.firings.values()]
    served = {
        period: {
            "responses": t.count,
            "average": round(t.sum / (9 * t.count), 3),
            "caused_by": list(t.events),
        }
        for period, t in sorted(person.served.items())
    }
    return {
        "nip": nip,
        "unit_id": person.unit_id,
        "jp": {
            year: {"jp": total, "duty": rules.jp.duty, "met": total >= rules.jp.duty}
            for year, total in sorted(({year: 0} | person.jp).items())
        },
        "trainings": sorted(
            (t.model_dump(mode="json") for t in person.trainings.values()), key=lambda t: t["completed_at"]
        ),
        "appraisals": sorted(
            (a.model_dump(mode="json") for a in person.appraisals.values()), key=lambda a: a["period"]
        ),
        "survey_answers": served,
        "forums": sorted(
            (f.model_dump(mode="json", exclude_none=True) for f in person.forums.values()),
            key=lambda f: (f["date"], f["forum_id"]),
        ),
        "rewards": [f for f in firings if f["type"] == "RewardTriggered"],
        "recommendations": [f for f in firings if f["type"] == "RetrainingRecommended"],
    }


def one(target: Target, firing: Firing) -> dict[str, Any]:
    """A recommendation as shown: its target, status, evidence and history (seats kept inside)."""
    shown = firing.model_dump(mode="json", exclude_none=True, exclude={"seats"})
    return {**target, "recommendation_id": firing.id, **shown}


def recommendations(
    found: Iterable[tuple[Target, Firing]], status: str | None, *, unit_id: str | None = None
) -> list[dict[str, Any]]:
    """Recommendations for people and units, oldest first, optionally of one status and unit."""
    rows = [
        one(target, firing)
        for target, firing in found
        if firing.is_recommendation
        and status in {None, firing.status}
        and unit_id in {None, target.get("unit_id")}
    ]
    return sorted(rows, key=lambda row: row["at"])
