"""Read models built from stored documents: a programme, a person's trainings per year, recommendations."""

from collections.abc import Iterable
from typing import Any

from services.training import model
from shared.storage import Document


def program(doc: Document, *, default_timezone: str, minutes_per_jp: int) -> dict[str, Any]:
    capacity, enrolled = int(doc["capacity"]), int(doc.get("enrolled_count", 0))
    return {
        "program_id": doc["_id"],
        "title": doc["title"],
        "competency": doc["competency"],
        "method": doc["method"],
        "jp": doc["jp"],
        "minutes": doc["jp"] * minutes_per_jp,
        **model.local_schedule(doc, default_timezone),
        "capacity": capacity,
        "enrolled": enrolled,
        "seats_left": max(0, capacity - enrolled),
    }


def trainings(
    nip: str, person: Document, records: Iterable[Document], *, minutes_per_jp: int, year: int | None = None
) -> dict[str, Any]:
    """Enrolments and, per calendar year (newest first), completions with score and JP."""
    years = []
    for record in sorted(records, key=lambda r: r["year"], reverse=True):
        if year is not None and record["year"] != year:
            continue
        completed = sorted(record.get("completions", {}).values(), key=lambda c: c["completed_at"])
        jp = sum(c["jp"] for c in completed)
        years.append(
            {
                "year": record["year"],
                "jp": jp,
                "jp_passed": sum(c["jp"] for c in completed if c["passed"]),
                "minutes": jp * minutes_per_jp,
                "completed": [_completion(c) for c in completed],
            }
        )
    enrolments = sorted(person.get("enrolments", {}).values(), key=lambda e: str(e.get("starts_at")))
    return {
        "nip": nip,
        "unit_id": person.get("unit_id"),
        "enrolled": [e for e in enrolments if e["status"] == "enrolled"],
        "enrolments": enrolments,
        "years": years,
    }


def _completion(entry: Document) -> dict[str, Any]:
    shown = ("program_id", "competency", "method", "jp", "score", "passed", "group_id", "unit_id")
    return {
        "event_id": entry["event_id"],
        **{k: entry.get(k) for k in shown},
        "completed_at": entry["completed_at"],
    }


def recommendations(nip: str, person: Document, status: str | None = None) -> dict[str, Any]:
    found = sorted(person.get("recommendations", {}).values(), key=lambda r: r["opened_at"])
    return {"nip": nip, "recommendations": [r for r in found if status in {None, r["status"]}]}
