"""Units come from UNITS_FILE: every service lists them, and no intake takes a phantom unit."""

from typing import Any

import httpx
import pytest

from tests import infra
from tests.builders import (
    a_feedback_received,
    a_performance_appraised,
    a_survey_submitted,
    a_training_completed,
    structured,
)

pytestmark = pytest.mark.e2e

PHANTOM = "kel-candisari"  # looks like a kelurahan of Candisari, but is not one


@pytest.mark.parametrize("service", ["training", "survey", "evaluation", "rewards"])
async def test_every_service_lists_the_configured_units(
    stack: infra.Stack, http: httpx.AsyncClient, service: str
) -> None:
    answer = await http.get(f"{stack.urls[service]}/units")
    assert answer.status_code == 200
    listed = {u["unit_id"]: u for u in answer.json()["units"]}
    assert listed["kec-candisari"] == {
        "unit_id": "kec-candisari",
        "name": "Kantor Kecamatan Candisari",
        "parent": None,
    }
    assert listed["kel-wonotingal"]["parent"] == "kec-candisari"
    assert PHANTOM not in listed


@pytest.mark.parametrize(
    ("service", "event"),
    [
        ("training", a_training_completed(unit_id=PHANTOM)),
        ("survey", a_survey_submitted(unit_id=PHANTOM)),
        ("survey", a_feedback_received(unit_id=PHANTOM)),
        ("evaluation", a_performance_appraised(unit_id=PHANTOM)),
    ],
    ids=["TrainingCompleted", "SurveySubmitted", "FeedbackReceived", "PerformanceAppraised"],
)
async def test_an_event_for_an_unknown_unit_is_422_and_changes_nothing(
    stack: infra.Stack, keys: infra.Keys, http: httpx.AsyncClient, service: str, event: Any
) -> None:
    body = structured(event)
    answer = await infra.post_cloudevent(http, stack.urls[service], keys.integrator, body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "data", "unit_id"]
    again = await infra.post_cloudevent(
        http, stack.urls[service], keys.integrator, structured(event, event_id=body["id"])
    )
    assert again.status_code == 422  # not recorded: the same id is refused again, not "seen before"
