"""Evaluation's own Prometheus metrics (in the process registry of shared/observability/metrics.py)."""

from prometheus_client import Counter, Gauge

from shared.contract import events
from shared.messaging import Publisher
from shared.observability.metrics import REGISTRY

IKM = Gauge(
    "mutu_ikm_converted",
    "IKM converted value (25-100) of a unit in a period, as last computed.",
    ["unit_id", "period"],
    registry=REGISTRY,
)
RECOMMENDATIONS = Counter(
    "mutu_recommendations_issued_total",
    "Retraining recommendations issued, by rule.",
    ["rule_id"],
    registry=REGISTRY,
)


def count_recommendations(publisher: Publisher) -> None:
    """Count each recommendation once it is published (confirmed by the broker), by rule."""
    publisher.on_published(
        events.RetrainingRecommended, lambda issued: RECOMMENDATIONS.labels(issued.rule_id).inc()
    )
