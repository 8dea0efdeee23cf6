"""The rules as pure judgements: decisions from facts, no I/O; each names the key it fires once for."""

from services.evaluation import ikm
from services.evaluation.model import Appraisal, Decision, Recommendation, Reward, Served
from services.evaluation.rules import AdaptationRules, AppraisalRules, JpRules, TrainingRules, UnitRules
from shared.contract import events
from shared.contract.calendar import period_kind, quarter_number

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
        )
    return None


def judge_jp_reached(nip: str, year: str, total: int, rules: JpRules) -> Reward | None:
    """Once a year when the person's JP reach the duty."""
    if total >= rules.duty:
        return Reward("jp_duty_reached", rules.reward_points, f"reached {total} JP in {year}", (nip, year))
    return None


def judge_jp_shortfall(nip: str, period: str, total: int, rules: JpRules) -> Recommendation | None:
    """At a quarter's end: below the pace of the year (by default 5, 10, 15, 20 JP by Q1..Q4)."""
    expected = rules.expected_by(quarter_number(period))
    if total < expected:
        gap = expected - total
        return Recommendation(
            "jp_below_duty",
            rules.competency,
            f"{total} of {expected} JP expected by the end of {period}: {gap} JP short",
            (nip, period),
            {"jp": total, "expected": expected, "gap": gap, "duty": rules.duty},
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


def judge_adaptation(
    nip: str, period: str, served: Served, digital_since: str | None, rules: AdaptationRules
) -> Reward | None:
    """Completed a digital-service training, then citizens rated them well in a later period."""
    if digital_since is None or period < digital_since:
        return None
    count = served.count
    if count < rules.min_answers:
        return None
    average = served.sum / (count * len(ikm.ELEMENTS))
    if average < rules.min_average:
        return None
    return Reward(
        "adaptation",
        rules.points,
        f"citizens rated {average:.2f} over {count} answers in {period}",
        (nip, period),
    )


def judge_unit(
    unit_id: str, period: str, tallies: dict[str, ikm.Tally], rules: UnitRules
) -> list[Recommendation]:
    """An element average below grade D with enough responses: retrain the unit.

    Looked at per channel and over all channels. An element that is low overall and also low on
    the online channel maps to the online competency when the table has one (citizens struggle
    with the online service); otherwise to the element's general competency. Keyed by
    (unit, period, element, competency), so one weakness gives one recommendation.
    """
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
            decisions.setdefault(
                key,
                Recommendation(
                    "unit_element_low",
                    competency,
                    f"{element} averaged {nrr:.2f} on {_where(scope)} in {period}",
                    key,
                    {"element": element, "channel": scope, "nrr": round(nrr, 4), "respondents": tally.count},
                    tally.sample,
                ),
            )
    return list(decisions.values())


def _where(scope: str) -> str:
    return "all channels" if scope == ALL_CHANNELS else f"the {scope} channel"


def _low_online(tallies: dict[str, ikm.Tally], element: str, rules: UnitRules) -> bool:
    online = tallies.get("online", ikm.EMPTY)
    return online.count > 0 and online.sums[element] / online.count < rules.nrr_below
