"""What the services should report for a demo world, computed here independently of them.

The rule parameters are PRODUCT.md's defaults; the IKM follows PermenPANRB 14/2017 with exact 1/9
weights, the converted value rounded to 2 decimals and graded by lower bound.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from mutu.demo import roster
from mutu.demo import world as demo_world
from mutu.demo.world import World
from shared.contract.calendar import Calendar, next_quarter

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
NRR_FLOOR = 3.0644  # below the B band
MIN_RESPONSES = 30
GRACE = dt.timedelta(days=7)  # QUARTER_CLOSE_GRACE_DAYS: a quarter closes by itself a week after its end
PACE = (5, 10, 15, 20)  # JP expected by the end of Q1..Q4
ADAPTATION = {"min_answers": 10, "a_band": 3.5324, "min_rise": 0.25, "points": 25}


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


def quarter_closed(period: str, now: dt.datetime | None = None) -> bool:
    """Whether `period` has closed by itself (its end plus the grace days)."""
    return (now or dt.datetime.now(dt.UTC)) >= Calendar().quarter_end(period) + GRACE


def _quarter(moment: str) -> str:
    return Calendar().quarter_of(dt.datetime.fromisoformat(moment))


def points(world: World) -> dict[str, int]:
    """Training >= 85 +10, 20 JP reached +20, appraisal +30/+10, adaptation +25 (all booked now)."""
    earned: dict[str, int] = defaultdict(int)
    for completion in world.completions:
        data = completion.data
        if data["passed"] and data["score"] >= 85:  # noqa: PLR2004
            earned[data["nip"]] += 10
    for nip, total in jp(world).items():
        earned[nip] += 20 if total >= DUTY else 0
    for appraisal in world.appraisals:
        earned[appraisal["data"]["nip"]] += {"SANGAT_BAIK": 30, "BAIK": 10}.get(
            appraisal["data"]["rating"], 0
        )
    for nip, _program_id in adaptation(world):
        earned[nip] += int(ADAPTATION["points"])
    return {p.nip: earned[p.nip] for p in world.people}


def officer_answers(world: World) -> dict[str, dict[str, list[float]]]:
    """Per officer and quarter, the mean of each verified answer naming them on u3, u6, u7, u8."""
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    named = [*world.responses, *(a.data for a in world.past)]
    for response in named:
        if nip := response.get("served_by_nip"):
            values = [response["answers"][e] for e in demo_world.OFFICER_ELEMENTS]
            found[nip][response["period"]].append(sum(values) / len(values))
    return found


def effect(world: World, nip: str, program_id: str) -> dict[str, Any] | None:
    """Before (closed quarters before the pass) and after (the closed quarter after it), or None."""
    passed = next(
        (c.data for c in world.completions if c.data["nip"] == nip and c.data["program_id"] == program_id),
        None,
    )
    if passed is None or not passed["passed"]:
        return None
    quarter = _quarter(passed["completed_at"])
    after_quarter = next_quarter(quarter)
    if not quarter_closed(after_quarter):
        return None
    served = officer_answers(world).get(nip, {})
    before = [m for period, means in served.items() if period < quarter for m in means]
    after = served.get(after_quarter, [])
    enough = min(len(before), len(after)) >= ADAPTATION["min_answers"]
    return {
        "before": {"answers": len(before), "mean": sum(before) / len(before) if before else None},
        "after": {"answers": len(after), "mean": sum(after) / len(after) if after else None},
        "enough": enough,
    }


def adaptation(world: World) -> set[tuple[str, str]]:
    """(NIP, programme) of each adaptation reward: enough answers each side, the A band or a rise."""
    paid = set()
    for completion in world.completions:
        nip, program_id = completion.data["nip"], completion.data["program_id"]
        found = effect(world, nip, program_id)
        if found is None or not found["enough"]:
            continue
        before, after = found["before"]["mean"], found["after"]["mean"]
        if after >= ADAPTATION["a_band"] or after - before >= ADAPTATION["min_rise"]:
            paid.add((nip, program_id))
    return paid


def effectiveness(world: World) -> dict[str, dict[str, Any]]:
    """Per programme passed in a closed quarter: its people, and whether the effect is measurable."""
    found: dict[str, dict[str, Any]] = {}
    for program_id, nips in (
        (demo_world.EFFECT_PROGRAMME, world.effect),
        (demo_world.THIN_PROGRAMME, world.thin),
    ):
        rows = {nip: effect(world, nip, program_id) for nip in nips}
        measured = [r for r in rows.values() if r is not None and r["enough"]]
        rise = [r["after"]["mean"] - r["before"]["mean"] for r in measured]
        found[program_id] = {
            "people": sorted(nips),
            "measured": len(measured),
            "mean_rise": round(sum(rise) / len(rise), 4) if rise else None,
        }
    return found


def served(world: World) -> dict[str, list[int]]:
    """Per civil servant, the answer sum of each response naming them."""
    found: dict[str, list[int]] = defaultdict(list)
    for response in world.responses:
        if nip := response.get("served_by_nip"):
            found[nip].append(sum(response["answers"].values()))
    return found


def recommendations(world: World) -> set[tuple[str, str, str]]:
    """(target, rule_id, competency) of every retraining recommendation the services should open."""
    found = set()
    for completion in world.completions:
        data = completion.data
        if not data["passed"] or data["score"] < 70:  # noqa: PLR2004
            found.add((data["nip"], "training_low_score", data["competency"]))
    for nip, total in jp(world).items():
        if total < DUTY and quarter_over():  # Q4's pace is the whole duty
            found.add((nip, "jp_below_duty", "digital_service"))
    found |= jp_pace(world)
    for appraisal in world.appraisals:
        if appraisal["data"]["rating"] in {"BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"}:
            found.add((appraisal["data"]["nip"], "appraisal_retraining", "change_management"))
    past = {(unit_id, rule, competency) for unit_id, _, rule, competency in past_unit_recommendations(world)}
    return found | unit_recommendations(world) | past


def jp_pace(world: World) -> set[tuple[str, str, str]]:
    """A completion in a closed quarter is late data: the JP pace by that quarter's end is judged."""
    found = set()
    for completion in world.completions:
        data = completion.data
        quarter = _quarter(data["completed_at"])
        if not quarter_closed(quarter):
            continue
        total = sum(
            c.data["jp"]
            for c in world.completions
            if c.data["nip"] == data["nip"]
            and c.data["passed"]
            and _quarter(c.data["completed_at"])[:4] == quarter[:4]
            and _quarter(c.data["completed_at"]) <= quarter
        )
        if total < PACE[int(quarter[-1]) - 1]:
            found.add((data["nip"], "jp_below_duty", "digital_service"))
    return found


def _unit_rule(sent: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """The unit rule on one closed quarter's answers: per channel and over both channels."""
    found: set[tuple[str, str, str]] = set()
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
            found.add((element, scope, competency))
    return found


def unit_recommendations(world: World, *, closed: bool | None = None) -> set[tuple[str, str, str]]:
    """An element average below the B band with >= 30 responses, per channel and over both channels.

    Over both channels an element that is also low online maps to the online competency. Judged
    on a closed quarter only: none while the demo's quarter is under way (its run answers 409).
    """
    found: set[tuple[str, str, str]] = set()
    if not (quarter_over() if closed is None else closed):
        return found
    for unit_id in roster.UNITS:
        sent = [r for r in world.responses if r["unit_id"] == unit_id]
        found |= {(unit_id, "unit_element_low", c) for _, _, c in _unit_rule(sent)}
    return found


def past_unit_recommendations(world: World) -> set[tuple[str, str, str, str]]:
    """(unit, quarter, rule_id, competency) from the late answers of the closed quarters.

    Each unit and quarter here has 30 answers or none of the semester's earlier quarter, so the
    semester fallback (README, Evaluation) never applies to the demo's data.
    """
    found = set()
    for unit_id, period in {(a.data["unit_id"], a.data["period"]) for a in world.past}:
        if not quarter_closed(period):
            continue
        sent = [a.data for a in world.past if (a.data["unit_id"], a.data["period"]) == (unit_id, period)]
        found |= {(unit_id, period, "unit_element_low", c) for _, _, c in _unit_rule(sent)}
    return found


def unit_outcome(world: World) -> dict[str, Any]:
    """The weak unit's 2026-Q2 recommendation: who it reaches, and done once 2026-Q3 recovered."""
    element = demo_world.WEAK_ELEMENT
    weak = [a.data for a in world.past if a.phase == "weak"]
    recovered = [a.data for a in world.past if a.phase == "recovered"]
    later = ikm(recovered)["nrr"][element] if recovered else None
    done = (
        quarter_closed(demo_world.RECOVERED_PERIOD)
        and len(recovered) >= MIN_RESPONSES
        and later is not None
        and later >= NRR_FLOOR
    )
    return {
        "unit_id": world.weak,
        "period": demo_world.WEAK_PERIOD,
        "element": element,
        "competency": UNIT_COMPETENCY[element],
        "nrr": round(ikm(weak)["nrr"][element], 4),
        "respondents": len(weak),
        "members": sorted(p.nip for p in world.roster if p.unit_id == world.weak and p.active),
        "never_trained": sorted(p.nip for p in world.people if p.unit_id == world.weak and not p.trains),
        "left": sorted(p.nip for p in world.leavers if p.unit_id == world.weak),
        "status": "done" if done else "open",
        "recovered_in": demo_world.RECOVERED_PERIOD if done else None,
        "recovered_nrr": None if later is None else round(later, 4),
    }


def tickets(world: World) -> int:
    """Kiosk answers naming an officer in the demo's quarter: each one uses a service ticket."""
    return sum(1 for r in world.responses if r["response_id"] in world.kiosk and "served_by_nip" in r)


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
        "rostered": len(world.roster),
        "tickets": tickets(world),
        "past_responses": len(world.past),
        "unit_recommendation": unit_outcome(world),
        "adaptation": sorted(adaptation(world)),
        "effectiveness": effectiveness(world),
        "units": units(world),
        "jp": jp(world),
        "points": points(world),
        "recommendations": sorted(recommendations(world)),
    }
