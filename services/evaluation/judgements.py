"""The rules as pure judgements: decisions from facts, no I/O; each names the key it fires once for."""

from services.evaluation import ikm
from services.evaluation.model import Appraisal, Decision, Recommendation, Reward
from services.evaluation.rules import AppraisalRules, JpRules, TrainingRules, UnitRules
from shared.contract import events
from shared.contract.calendar import period_kind, quarter_number
from shared.contract.fields import NIP_LENGTH, is_pppk_number

ALL_CHANNELS = "all"


def year_to_date(period: str, quarter: str) -> bool:
    """Whether `quarter` lies in the year of quarter `period`, at or before it."""
    return quarter[:4] == period[:4] and quarter <= period


def jp_by_end_of(period: str, jp_quarters: dict[str, int]) -> int:
    """JP of the calendar year up to the end of quarter `period`."""
    return sum(int(jp) for quarter, jp in jp_quarters.items() if year_to_date(period, quarter))


def judge_training(done: events.TrainingCompleted, rules: TrainingRules) -> Decision | None:
    """Training rules fire once per (person, programme)."""
    if done.passed and done.score >= rules.reward_min_score:
        return Reward(
            "training_high_score",
            rules.reward_points,
            f"passed {done.program_id} with score {done.score:g}",
            (done.nip, done.program_id),
        )
    if not done.passed or done.score < rules.retrain_below:
        outcome = "failed" if not done.passed else f"scored {done.score:g} (< {rules.retrain_below:g})"
        return Recommendation(
            "training_low_score",
            done.competency,
            f"{outcome} in {done.program_id}",
            (done.nip, done.program_id),
            {"program_id": done.program_id, "score": done.score, "passed": done.passed},
            opened_at=done.completed_at.isoformat(),
        )
    return None


def judge_jp_reached(nip: str, year: str, total: int, rules: JpRules) -> Reward | None:
    """Once a year when the person's JP reach the duty."""
    if total >= rules.duty:
        return Reward("jp_duty_reached", rules.reward_points, f"reached {total} JP in {year}", (nip, year))
    return None


def appointed_by_end_of(nip: str, quarter: str) -> bool:
    """Whether the NIP's appointment month (digits 9-14, YYYYMM: REFERENCE) is in or before the quarter.

    An NI PPPK names the year only: taken as January of that year.
    """
    appointed = nip[8:12] + "01" if is_pppk_number(nip) else nip[8:14]
    if len(nip) != NIP_LENGTH or not appointed.isdigit():
        return True  # not a NIP we can read: judged as before
    return appointed <= f"{quarter[:4]}{quarter_number(quarter) * 3:02d}"


def judge_jp_shortfall(
    nip: str, period: str, total: int, rules: JpRules, opened_at: str | None = None
) -> Recommendation | None:
    """At a quarter's end: below the pace of the year (by default 5, 10, 15, 20 JP by Q1..Q4).

    Nobody owes JP for a quarter that ended before their appointment (the NIP's TMT month).
    """
    if not appointed_by_end_of(nip, period):
        return None
    expected = rules.expected_by(quarter_number(period))
    if total < expected:
        gap = expected - total
        return Recommendation(
            "jp_below_duty",
            rules.competency,
            f"{total} of {expected} JP expected by the end of {period}: {gap} JP short",
            (nip, period),
            {"jp": total, "expected": expected, "gap": gap, "duty": rules.duty},
            opened_at=opened_at,
        )
    return None


KIND_NAMES = {"year": "annual (YYYY)", "semester": "semester (YYYY-Sn)", "quarter": "quarterly (YYYY-Qn)"}


def unpaid_because(period: str, rules: AppraisalRules) -> str | None:
    """None when an appraisal of this period's kind pays; else why it is recorded only."""
    kind = period_kind(period)
    if kind == rules.pays:
        return None
    return f"recorded only: the {KIND_NAMES[rules.pays]} appraisal pays, not the {KIND_NAMES[kind]}"


def judge_correction(
    rating: events.PerformanceAppraised, before: Appraisal, event_id: str, rules: AppraisalRules
) -> Reward | None:
    """A later rating of the same period: the difference from what the earlier one paid."""
    difference = rules.points.get(rating.rating, 0) - before.paid
    if difference == 0:
        return None
    return Reward(
        "appraisal_correction",
        difference,
        f"{rating.period} corrected from {before.rating} to {rating.rating}: {difference:+d} points",
        (rating.nip, rating.period, event_id),
        corrects=before.event_id,
    )


def judge_appraisal(
    rating: events.PerformanceAppraised, rules: AppraisalRules, correcting: tuple[str, ...] = ()
) -> Decision | None:
    """The appraisal rules, keyed per (person, period); a correction adds its own id to the key."""
    key = (rating.nip, rating.period, *correcting)
    if rating.rating in rules.points and not correcting:
        return Reward(
            "appraisal_reward",
            rules.points[rating.rating],
            f"appraised {rating.rating} for {rating.period}",
            key,
        )
    if rating.rating in rules.retrain:
        return Recommendation(
            "appraisal_retraining",
            rules.competency,
            f"appraised {rating.rating} for {rating.period}",
            key,
            {"rating": rating.rating},
        )
    return None


def judge_unit(
    unit_id: str,
    period: str,
    windows: list[tuple[list[str], dict[str, ikm.Tally]]],
    rules: UnitRules,
    opened_at: str | None = None,
) -> list[Recommendation]:
    """An element's NRR below the B band with enough answers in a closed quarter: retrain the unit.

    `windows` are the quarter's tallies, then the semester's up to it: the first with enough
    answers over all channels is judged (none: no judgement). Looked at per channel and over all
    channels. An element that is low overall and also low on the online channel maps to the
    online competency when the table has one; otherwise to the element's general competency.
    Keyed by (unit, quarter, element, competency), so one weakness gives one recommendation.
    """
    chosen = next(
        ((q, t) for q, t in windows if sum(t.values(), ikm.EMPTY).count >= rules.min_responses), None
    )
    if chosen is None:
        return []
    quarters, tallies = chosen
    scopes = {**tallies, ALL_CHANNELS: sum(tallies.values(), ikm.EMPTY)}
    decisions: dict[tuple[str, ...], Recommendation] = {}
    for scope, tally in scopes.items():
        if tally.count < rules.min_responses:
            continue
        for element in ikm.ELEMENTS:
            nrr = tally.sums[element] / tally.count
            if nrr >= rules.nrr_below:
                continue
            channel = scope if scope != ALL_CHANNELS or not _low_online(tallies, element, rules) else "online"
            competency = rules.competency_for(element, channel)
            key = (unit_id, period, element, competency)
            where = _where(scope) + ("" if quarters == [period] else f" of {', '.join(quarters)}")
            evidence = {
                "element": element,
                "channel": scope,
                "nrr": round(nrr, 4),
                "respondents": tally.count,
            }
            if quarters != [period]:
                evidence["window"] = quarters
            decisions.setdefault(
                key,
                Recommendation(
                    "unit_element_low",
                    competency,
                    f"{element} averaged {nrr:.2f} on {where} in {period}",
                    key,
                    evidence,
                    tally.sample,
                    opened_at,
                ),
            )
    return list(decisions.values())


def _where(scope: str) -> str:
    return "all channels" if scope == ALL_CHANNELS else f"the {scope} channel"


def _low_online(tallies: dict[str, ikm.Tally], element: str, rules: UnitRules) -> bool:
    online = tallies.get("online", ikm.EMPTY)
    return online.count > 0 and online.sums[element] / online.count < rules.nrr_below
