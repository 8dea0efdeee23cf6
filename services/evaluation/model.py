"""Pure evaluation rules: decisions from facts, no I/O."""

from dataclasses import dataclass

from shared import events


@dataclass(frozen=True)
class Reward:
    rule_id: str
    points: int
    reason: str
    key: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    rule_id: str
    competency: str
    reason: str
    key: tuple[str, ...]


Decision = Reward | Recommendation


@dataclass(frozen=True)
class TrainingRules:
    reward_min_score: float = 85
    reward_points: int = 10
    retrain_below: float = 70


def judge_training(done: events.TrainingCompleted, rules: TrainingRules) -> Decision | None:
    """Training rules fire once per (person, programme)."""
    if done.passed and done.score >= rules.reward_min_score:
        return Reward(
            rule_id="training_high_score",
            points=rules.reward_points,
            reason=f"passed {done.program_id} with score {done.score:g}",
            key=(done.nip, done.program_id),
        )
    if not done.passed or done.score < rules.retrain_below:
        return Recommendation(
            rule_id="training_low_score",
            competency=done.competency,
            reason=f"{'failed' if not done.passed else 'scored below ' + str(rules.retrain_below)}"
            f" in {done.program_id}",
            key=(done.nip, done.program_id),
        )
    return None
