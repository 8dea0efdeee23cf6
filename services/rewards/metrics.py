"""Rewards' own Prometheus metrics (in the process registry of shared/observability/metrics.py)."""

from prometheus_client import Counter

from shared.observability.metrics import REGISTRY

POINTS_GRANTED = Counter(
    "mutu_reward_points_granted_total",
    "Reward points granted (ledger entries booked for RewardTriggered), by rule.",
    ["rule_id"],
    registry=REGISTRY,
)
POINTS_TAKEN_BACK = Counter(
    "mutu_reward_points_taken_back_total",
    "Reward points taken back by correction entries (a corrected appraisal), by rule.",
    ["rule_id"],
    registry=REGISTRY,
)
