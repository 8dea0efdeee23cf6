"""Valid test data with defaults, so each test states only what matters."""

import datetime as dt
import random
import uuid
from typing import Any

from shared.contract import envelope, events

UNITS = (
    "kec-candisari",
    "kel-candi",
    "kel-jatingaleh",
    "kel-jomblang",
    "kel-kaliwiru",
    "kel-karanganyar-gunung",
    "kel-tegalsari",
    "kel-wonotingal",
)


def random_nip(rng: random.Random | None = None) -> str:
    """A valid PNS NIP: birth 1965-1995, appointed at 22-30, sex digit, sequence from 001."""
    rng = rng or random.Random()
    birth = dt.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
    appointed_year = birth.year + rng.randint(22, 30)
    return (
        f"{birth:%Y%m%d}{appointed_year}{rng.randint(1, 12):02d}{rng.choice('12')}{rng.randint(1, 999):03d}"
    )


def random_id(prefix: str = "ev") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def a_training_completed(**changes: Any) -> events.TrainingCompleted:
    fields: dict[str, Any] = {
        "nip": random_nip(),
        "program_id": random_id("prog"),
        "competency": "digital_service",
        "method": "classroom",
        "jp": 8,
        "score": 90,
        "passed": True,
        "unit_id": "kel-candi",
        "completed_at": dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    }
    return events.TrainingCompleted(**(fields | changes))


def a_survey_submitted(**changes: Any) -> events.SurveySubmitted:
    fields: dict[str, Any] = {
        "response_id": random_id("resp"),
        "unit_id": "kel-candi",
        "service_type": "KTP-el",
        "channel": "online",
        "period": "2026-Q4",
        "answers": {f"u{i}": 3 for i in range(1, 10)},
    }
    return events.SurveySubmitted(**(fields | changes))


def a_reward_triggered(**changes: Any) -> events.RewardTriggered:
    fields: dict[str, Any] = {
        "nip": random_nip(),
        "points": 10,
        "rule_id": "training_high_score",
        "reason": "passed with a high score",
        "caused_by": (random_id(),),
    }
    return events.RewardTriggered(**(fields | changes))


def wrapped[DataT: events.Event](data: DataT, *, event_id: str | None = None) -> envelope.CloudEvent[DataT]:
    return envelope.wrap(data, source="urn:test", event_id=event_id or random_id())


def structured(data: events.Event, *, event_id: str | None = None) -> dict[str, Any]:
    """A structured-mode CloudEvent as an integrator would post it."""
    return wrapped(data, event_id=event_id).model_dump(mode="json", exclude_none=True)


def a_feedback_received(**changes: Any) -> events.FeedbackReceived:
    fields: dict[str, Any] = {
        "feedback_id": random_id("fb"),
        "forum_id": None,
        "unit_id": "kel-candi",
        "category": "complaint",
        "topic": "antrian",
        "received_at": dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC),
    }
    return events.FeedbackReceived(**(fields | changes))


def a_forum_held(**changes: Any) -> events.ForumHeld:
    nip = random_nip()
    fields: dict[str, Any] = {
        "forum_id": random_id("forum"),
        "unit_id": "kel-candi",
        "date": dt.date(2026, 8, 12),
        "topic": "Forum konsultasi publik",
        "topic_code": "antrean",
        "attendees": 30,
        "attended_by": (nip,),
    }
    return events.ForumHeld(**(fields | changes))


def a_performance_appraised(**changes: Any) -> events.PerformanceAppraised:
    fields: dict[str, Any] = {"nip": random_nip(), "unit_id": "kel-candi", "period": "2025", "rating": "BAIK"}
    return events.PerformanceAppraised(**(fields | changes))


def a_retraining_recommended(**changes: Any) -> events.RetrainingRecommended:
    fields: dict[str, Any] = {
        "recommendation_id": random_id("rec"),
        "nip": random_nip(),
        "competency": "service_ethics",
        "rule_id": "training_low_score",
        "reason": "failed the training",
        "evidence": {"score": 55},
        "caused_by": (random_id(),),
    }
    return events.RetrainingRecommended(**(fields | changes))


def a_reward_points_granted(**changes: Any) -> events.RewardPointsGranted:
    fields: dict[str, Any] = {
        "nip": random_nip(),
        "points": 10,
        "balance": 30,
        "rule_id": "training_high_score",
        "ledger_entry_id": random_id("led"),
    }
    return events.RewardPointsGranted(**(fields | changes))


def a_reward_redeemed(**changes: Any) -> events.RewardRedeemed:
    fields: dict[str, Any] = {
        "nip": random_nip(),
        "points": 20,
        "balance": 10,
        "item": "buku",
        "redemption_id": random_id("red"),
    }
    return events.RewardRedeemed(**(fields | changes))


def a_retraining_scheduled(**changes: Any) -> events.RetrainingScheduled:
    fields: dict[str, Any] = {
        "recommendation_id": random_id("rec"),
        "nip": random_nip(),
        "program_id": random_id("prog"),
    }
    return events.RetrainingScheduled(**(fields | changes))


def a_retraining_withdrawn(**changes: Any) -> events.RetrainingWithdrawn:
    fields: dict[str, Any] = {
        "recommendation_id": random_id("rec"),
        "nip": random_nip(),
        "program_id": random_id("prog"),
    }
    return events.RetrainingWithdrawn(**(fields | changes))


def a_roster_changed(**changes: Any) -> events.RosterChanged:
    fields: dict[str, Any] = {
        "nip": random_nip(),
        "unit_id": "kel-candi",
        "employee_type": "PNS",
        "active": True,
    }
    return events.RosterChanged(**(fields | changes))


def a_recommendation_resolved(**changes: Any) -> events.RecommendationResolved:
    fields: dict[str, Any] = {
        "recommendation_id": random_id("rec"),
        "status": "done",
        "evidence": {"passed_program_id": random_id("prog")},
        "resolved_at": dt.datetime(2026, 11, 20, 8, tzinfo=dt.timezone(dt.timedelta(hours=7))),
    }
    return events.RecommendationResolved(**(fields | changes))


# One valid example of every event type: validated against its JSON Schema and its AsyncAPI payload.
EXAMPLES = {
    events.TrainingCompleted: a_training_completed,
    events.SurveySubmitted: a_survey_submitted,
    events.FeedbackReceived: a_feedback_received,
    events.ForumHeld: a_forum_held,
    events.PerformanceAppraised: a_performance_appraised,
    events.RewardTriggered: a_reward_triggered,
    events.RetrainingRecommended: a_retraining_recommended,
    events.RewardPointsGranted: a_reward_points_granted,
    events.RewardRedeemed: a_reward_redeemed,
    events.RetrainingScheduled: a_retraining_scheduled,
    events.RetrainingWithdrawn: a_retraining_withdrawn,
    events.RosterChanged: a_roster_changed,
    events.RecommendationResolved: a_recommendation_resolved,
}
