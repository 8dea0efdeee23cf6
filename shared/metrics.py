"""One Prometheus registry per process and Mutu's domain metrics (no personal data in labels)."""

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry()

EVENTS_ACCEPTED = Counter(
    "mutu_events_accepted_total",
    "Events accepted over HTTP, by type and outcome (new or duplicate).",
    ["event_type", "outcome"],
    registry=REGISTRY,
)
EVENTS_REJECTED = Counter(
    "mutu_events_rejected_total",
    "Events refused over HTTP, by status code.",
    ["status"],
    registry=REGISTRY,
)
EVENTS_CONSUMED = Counter(
    "mutu_events_consumed_total",
    "Events consumed from the bus, by outcome (handled, rejected, dead_lettered).",
    ["service", "event_type", "outcome"],
    registry=REGISTRY,
)
EVENTS_PUBLISHED = Counter(
    "mutu_events_published_total",
    "Events published to mutu.events by the outbox relay, by routing key.",
    ["routing_key"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge("mutu_outbox_backlog", "Outbox entries not yet published.", registry=REGISTRY)
OUTBOX_AGE = Gauge(
    "mutu_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox entry.", registry=REGISTRY
)
IKM = Gauge(
    "mutu_ikm_converted",
    "IKM converted value (25-100) of a unit in a period, as last computed.",
    ["unit_id", "period"],
    registry=REGISTRY,
)
POINTS_GRANTED = Counter(
    "mutu_reward_points_granted_total", "Reward points booked in the ledger.", registry=REGISTRY
)
RECOMMENDATIONS = Counter(
    "mutu_recommendations_issued_total",
    "Retraining recommendations issued, by rule.",
    ["rule_id"],
    registry=REGISTRY,
)
DEAD_LETTERS = Counter(
    "mutu_dead_letters_total",
    "Messages dead-lettered by this process, by queue and reason.",
    ["queue", "reason"],
    registry=REGISTRY,
)
CONSUMER_RESTARTS = Counter(
    "mutu_consumer_restarts_total",
    "Subscribers re-started by the watchdog after their consumer was lost.",
    registry=REGISTRY,
)
BROKER_CONNECTED = Gauge(
    "mutu_broker_connected", "1 while the broker answers and every consumer is live.", registry=REGISTRY
)
