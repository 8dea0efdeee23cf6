import json

import pytest

from shared.contract import envelope, events
from tests.builders import a_survey_submitted, a_training_completed, structured

ACCEPTED = {"TrainingCompleted": events.TrainingCompleted}


class TestStructuredMode:
    def test_round_trips_an_event(self) -> None:
        body = json.dumps(structured(a_training_completed(), event_id="ev-1")).encode()
        parsed = envelope.parse_structured(body, ACCEPTED)
        assert parsed.id == "ev-1"
        assert isinstance(parsed.data, events.TrainingCompleted)

    def test_refuses_unknown_data_fields(self) -> None:
        raw = structured(a_training_completed())
        raw["data"]["name"] = "Budi"
        with pytest.raises(envelope.InvalidEventError) as caught:
            envelope.parse(raw, ACCEPTED)
        assert caught.value.errors[0]["loc"] == ("data", "name")

    def test_refuses_a_type_this_receiver_does_not_accept(self) -> None:
        with pytest.raises(envelope.InvalidEventError):
            envelope.parse(structured(a_survey_submitted()), ACCEPTED)

    @pytest.mark.parametrize("body", [b"{", b"[]", b'{"specversion": "0.3", "type": "X"}'])
    def test_malformed_input_is_not_a_cloudevent(self, body: bytes) -> None:
        with pytest.raises(envelope.MalformedEventError):
            envelope.parse_structured(body, ACCEPTED)

    def test_refuses_naive_times(self) -> None:
        raw = structured(a_training_completed())
        raw["data"]["completed_at"] = "2026-11-02T09:00:00"
        with pytest.raises(envelope.InvalidEventError):
            envelope.parse(raw, ACCEPTED)


class TestBinaryMode:
    def test_reads_attributes_from_ce_headers(self) -> None:
        data = a_training_completed().model_dump(mode="json")
        headers = {
            "CE-ID": "ev%2F2",
            "ce-source": "urn:lms",
            "ce-specversion": "1.0",
            "ce-type": "TrainingCompleted",
        }
        parsed = envelope.parse_http("application/json", headers, json.dumps(data).encode(), ACCEPTED)
        assert parsed.id == "ev/2"
        assert parsed.source == "urn:lms"

    def test_needs_the_required_headers(self) -> None:
        with pytest.raises(envelope.MalformedEventError):
            envelope.parse_http("application/json", {"ce-type": "TrainingCompleted"}, b"{}", ACCEPTED)
