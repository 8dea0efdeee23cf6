"""The official SKM report of a unit and quarter, in the layout of PermenPANRB 14/2017 (printable)."""

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.portal import pages, periods
from services.portal.client import Services
from shared.web import users

UNIT = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
PROFILE: dict[str, tuple[str, list[str] | None]] = {
    "age_band": ("Umur", ["<25", "25-34", "35-44", "45-54", "55+", "unknown"]),
    "sex": ("Jenis kelamin", ["L", "P", "unknown"]),
    "education": ("Pendidikan", ["SD", "SMP", "SMA", "D3", "S1", "S2", "S3", "unknown"]),
    "occupation": ("Pekerjaan", None),  # the survey's configured list: shown as counted
}
# PermenPANRB 14/2017, Lampiran: converted value intervals, grade and unit performance.
GRADES = (
    ("25,00 - 64,99", "D", "Tidak baik"),
    ("65,00 - 76,60", "C", "Kurang baik"),
    ("76,61 - 88,30", "B", "Baik"),
    ("88,31 - 100,00", "A", "Sangat baik"),
)


def weights_for(rules: dict[str, Any], unit_id: str) -> dict[str, float]:
    """The element weights evaluation uses for this unit (1/9 each unless configured)."""
    configured = (rules.get("ikm") or {}).get("unit_weights", {}).get(unit_id)
    return configured or dict.fromkeys(pages.ELEMENTS, 1 / 9)


def profile_tables(summary: dict[str, Any]) -> list[dict[str, Any]]:
    total = int(summary.get("responses", 0))
    tables = []
    for field, (title, values) in PROFILE.items():
        counts = (summary.get("profile") or {}).get(field, {})
        shown = values or sorted(counts, key=lambda v: (v == "unknown", v))
        found = [(v if v != "unknown" else "Tidak diisi", int(counts.get(v, 0))) for v in shown]
        rows = [(label, n, round(100 * n / total, 1) if total else 0.0) for label, n in found if n]
        tables.append({"title": title, "rows": rows})
    return tables


async def gather(services: Services, unit_id: str, period: str) -> dict[str, Any]:
    """Everything the report shows, read from evaluation and survey; `notices` names what was down."""
    ikm, summary, recs, rules, questionnaire = await services.many(
        ("evaluation", f"/units/{unit_id}/ikm", {"period": period}),
        ("survey", f"/units/{unit_id}/responses/summary", {"period": period}),
        ("evaluation", "/recommendations", {}),
        ("evaluation", "/rules", {}),
        ("survey", "/questionnaire", {}),
    )
    names = pages.element_names(questionnaire)
    weights = weights_for(rules.data or {}, unit_id)
    nrr = ikm.get("nrr") or {}
    elements = [
        {
            "code": c.upper(),
            "name": names[c],
            "nrr": nrr.get(c),
            "weighted": nrr[c] * weights[c] if c in nrr else None,
        }
        for c in pages.ELEMENTS
    ]
    rated = [e for e in elements if e["nrr"] is not None]
    follow_up = [
        r for r in recs.get("recommendations", []) if r.get("unit_id") == unit_id and not r.get("nip")
    ]
    return {
        "unit_id": unit_id,
        "period": period,
        "ikm": ikm.data or {},
        "summary": summary.data or {},
        "profile": profile_tables(summary.data or {}),
        "elements": elements,
        "weakest": sorted(rated, key=lambda e: float(e["nrr"] or 0))[:3],
        "follow_up": follow_up,
        "grades": GRADES,
        "notices": sorted({f.notice for f in (ikm, summary, recs, rules) if f.notice}),
    }


def build(services: Services, signed_in: Callable[[Request], users.User], render: pages.Render) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/units/{unit_id}/report", response_class=HTMLResponse)
    async def report(
        request: Request,
        user: Annotated[users.User, Depends(signed_in)],
        unit_id: str,
        period: str | None = None,
    ) -> HTMLResponse:
        if not UNIT.match(unit_id):
            return render(request, "base.html", 404, user=user, notices=["Unit tidak dikenal."])
        data = await gather(services, unit_id, periods.chosen(period))
        return render(request, "skm_report.html", user=user, **data)

    return router
