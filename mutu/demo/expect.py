"""What the services should report for a demo world, computed here independently of them.

The rule parameters are PRODUCT.md's defaults; the IKM follows PermenPANRB 14/2017 with exact 1/9
weights, the converted value rounded to 2 decimals and graded by lower bound.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from mutu.demo import roster
from mutu.demo.world import World
from shared.contract.calendar import Calendar

ELEMENTS = tuple(f"u{i}" for i in range(1, 10))
GRADES = ((88.31, "A"), (76.61, "B"), (65.00, "C"), (0.0, "D"))
UNIT_COMPETENCY = {
    "u1": "public_communication",
    "u2": "public_communication",
    "u3": "digital_service",
    "u4": "public_communication",
    "u5": "data_management",
    "u6": "digital_service",
    "u7": "service_ethics",
    "u8": "public_communication",
    "u9": "change_management",
}
ONLINE_COMPETENCY = dict.fromkeys(("u2", "u3", "u5", "u6"), "online_service_guidance")
DUTY = 20
NRR_FLOOR = 2.6
MIN_RESPONSES = 30


def grade(converted: float) -> str:
    return next(letter for bound, letter in GRADES if converted >= bound)


def ikm(responses: list[dict[str, Any]]) -> dict[str, Any]:
    """NRR per element, the index and the converted value with its grade."""
    n = len(responses)
    nrr = {e: sum(r["answers"][e] for r in responses) / n for e in ELEMENTS}
    converted = round(sum(nrr.values()) / len(ELEMENTS) * 25, 2)
    return {"respondents": n, "nrr": nrr, "converted": converted, "grade": grade(converted)}


def units(world: World) -> dict[str, dict[str, Any]]:
    result = {}
    for unit_id in roster.UNITS:
        sent = [r for r in world.responses if r["unit_id"] == unit_id]
        row = ikm(sent)
        row["by_channel"] = {ch: len([r for r in sent if r["channel"] == ch]) for ch in ("online", "counter")}
        result[unit_id] = row
    return result


def jp(world: World) -> dict[str, int]:
    """JP toward the duty: passed trainings only (README, Evaluation)."""
    totals = dict.fromkeys((p.nip for p in world.people), 0)
    for completion in world.completions:
        if completion.data["passed"]:
            totals[completion.data["nip"]] += completion.data["jp"]
    return totals


def quarter_over(now: dt.datetime | None = None) -> bool:
    """Whether the demo's quarter has ended: until then its quarter-end run is refused (409)."""
    return (now or dt.datetime.now(dt.UTC)) >= Calendar().quarter_end(roster.PERIOD)


def points(world: World) -> dict[str, int]:
    """Training >= 85 +10, 20 JP reached +20, appraisal +30/+10, adaptation +25."""
    earned: dict[str, int] = defaultdict(int)
    digital = set()
    for completion in world.completions:
        data = completion.data
        if data["passed"] and data["score"] >= 85:  # noqa: PLR2004
            earned[data["nip"]] += 10
        if data["passed"] and data["competency"] == "digital_service":
            digital.add(data["nip"])
    for nip, total in jp(world).items():
        earned[nip] += 20 if total >= DUTY else 0
    for appraisal in world.appraisals:
        earned[appraisal["data"]["nip"]] += {"SANGAT_BAIK": 30, "BAIK": 10}.get(
            appraisal["data"]["rating"], 0
        )
    for nip, answers in served(world).items():
        if nip in digital and len(answers) >= 5 and sum(answers) / (9 * len(answers)) >= 3.5:  # noqa: PLR2004
            earned[nip] += 25
    return {p.nip: earned[p.nip] for p in world.people}


def served(world: World) -> dict[str, list[int]]:
    """Per civil servant, the answer sum of each response naming them."""
    found: dict[str, list[int]] = defaultdict(list)
    for response in world.responses:
        if nip := response.get("served_by_nip"):
            found[nip].append(sum(response["answers"].values()))
    return found


def recommendations(world: World) -> set[tuple[str, str, str]]:
    """(target, rule_id, competency) of every retraining recommendation the quarter should open."""
    found = set()
    for completion in world.completions:
        data = completion.data
        if not data["passed"] or data["score"] < 70:  # noqa: PLR2004
            found.add((data["nip"], "training_low_score", data["competency"]))
    for nip, total in jp(world).items():
        if total < DUTY and quarter_over():  # Q4's pace is the whole duty
            found.add((nip, "jp_below_duty", "digital_service"))
    for appraisal in world.appraisals:
        if appraisal["data"]["rating"] in {"BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"}:
            found.add((appraisal["data"]["nip"], "appraisal_retraining", "change_management"))
    return found | unit_recommendations(world)


def unit_recommendations(world: World) -> set[tuple[str, str, str]]:
    """An element average below 2.6 with >= 30 responses, per channel and over both channels.

    Over both channels an element that is also low online maps to the online competency.
    """
    found = set()
    for unit_id in roster.UNITS:
        sent = [r for r in world.responses if r["unit_id"] == unit_id]
        online = [r for r in sent if r["channel"] == "online"]
        online_low = {e for e, v in ikm(online)["nrr"].items() if v < NRR_FLOOR} if online else set()
        scopes = {"online": online, "counter": [r for r in sent if r["channel"] == "counter"], "all": sent}
        for scope, responses in scopes.items():
            if len(responses) < MIN_RESPONSES:
                continue
            for element, nrr in ikm(responses)["nrr"].items():
                if nrr >= NRR_FLOOR:
                    continue
                as_online = scope == "online" or (scope == "all" and element in online_low)
                competency = (ONLINE_COMPETENCY if as_online else {}).get(element, UNIT_COMPETENCY[element])
                found.add((unit_id, "unit_element_low", competency))
    return found


def summary(world: World) -> dict[str, Any]:
    return {
        "seed": world.seed,
        "scale": world.scale,
        "period": roster.PERIOD,
        "struggling_unit": world.struggling,
        "people": len(world.people),
        "completions": len(world.completions),
        "groups": len(world.groups),
        "responses": len(world.responses),
        "feedback": sum(len(f["items"]) for f in world.forums),
        "appraisals": len(world.appraisals),
        "units": units(world),
        "jp": jp(world),
        "points": points(world),
        "recommendations": sorted(recommendations(world)),
    }
