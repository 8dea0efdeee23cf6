"""Read models: a person's profile and the list of recommendations, from the stored aggregates."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.evaluation.rules import Rules
from shared.storage import Document


def render(nip: str, doc: Document, rules: Rules) -> dict[str, Any]:
    firings = list(doc.get("firings", {}).values())
    served = {
        period: {
            "responses": t["count"],
            "average": round(t["sum"] / (9 * t["count"]), 3),
            "caused_by": t.get("events", []),
        }
        for period, t in sorted(doc.get("served", {}).items())
    }
    return {
        "nip": nip,
        "unit_id": doc.get("unit_id"),
        "jp": {
            year: {"jp": total, "duty": rules.jp.duty, "met": total >= rules.jp.duty}
            for year, total in sorted(doc.get("jp", {}).items())
        },
        "trainings": sorted(doc.get("trainings", {}).values(), key=lambda t: t["completed_at"]),
        "appraisals": sorted(doc.get("appraisals", {}).values(), key=lambda a: a["period"]),
        "survey_answers": served,
        "rewards": [f for f in firings if f["type"] == "RewardTriggered"],
        "recommendations": [f for f in firings if f["type"] == "RetrainingRecommended"],
    }


async def recommendations(
    people: AsyncCollection[Document], units: AsyncCollection[Document], status: str | None
) -> list[dict[str, Any]]:
    """Recommendations for people (indexed on their open count) and for units."""
    query: Document = {"open_recs": {"$gt": 0}} if status == "open" else {}
    found: list[dict[str, Any]] = []
    for collection, subject in ((people, "nip"), (units, "unit_id")):
        async for doc in collection.find(query if subject == "nip" else {}, {"firings": 1, "unit_id": 1}):
            for firing in doc.get("firings", {}).values():
                if firing["type"] != "RetrainingRecommended" or status not in {None, firing.get("status")}:
                    continue
                target = {"nip": doc["_id"]} if subject == "nip" else {"unit_id": doc.get("unit_id")}
                found.append({**target, **firing})
    return sorted(found, key=lambda f: f["at"])
