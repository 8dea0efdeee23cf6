"""Valid test data with defaults, so each test states only what matters."""

import datetime as dt
import random
import uuid
from typing import Any

from shared import envelope, events

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
