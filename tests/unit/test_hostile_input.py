"""Hostile input at the parse points: refused as 400/422 with a reason, never an unexpected error."""

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, TypeAdapter, ValidationError

from services.survey import decisions, skm
from services.survey.settings import SurveySettings
from services.training.model import programmes, xapi
from shared import web
from shared.contract import envelope, events, strictjson, units
from shared.contract.fields import Answer, Comment, EventTime, Jp, Points, Score, Text
from shared.observability import metrics
from shared.web import apikeys
from tests.builders import a_survey_submitted, a_training_completed, structured

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE = b"1" * 5000
EXTREME_TIMES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00")
TRAINING = {"TrainingCompleted": events.TrainingCompleted}


def with_raw(document: dict[str, Any], path: tuple[str, ...], raw: bytes) -> bytes:
    """The JSON of `document` with the value at `path` replaced by raw JSON text."""
    marker = "@@raw@@"
    changed = json.loads(json.dumps(document))
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = marker
    return json.dumps(changed).encode().replace(json.dumps(marker).encode(), raw)


class TestStrictJson:
    @pytest.mark.parametrize(
        "body",
        [DEEP, b'{"a":' * 70 + b"1" + b"}" * 70, HUGE, b"[NaN]", b"Infinity", b'{"a":1,"a":2}', b'"\\ud800"',
         b'["\\udc00x"]', b"\xff\xfe", b"", '{"a": 1}'.encode("utf-16"), '{"a": 1}'.encode("utf-32"),
         b'\xef\xbb\xbf{"a": 1}', b'["\xed\xa0\x80"]'],
        ids=["deep", "deep-object", "huge-int", "nan", "infinity", "duplicate-key", "surrogate", "low-surrogate",
             "not-utf8", "empty", "utf-16", "utf-32", "utf-8-bom", "utf-8-encoded-surrogate"],
    )  # fmt: skip
    def test_refuses_what_json_loads_would_crash_on_or_take_loosely(self, body: bytes) -> None:
        with pytest.raises(strictjson.NotJsonError):
            strictjson.loads(body)

    def test_takes_ordinary_json_with_surrogate_pairs(self) -> None:
        assert strictjson.loads(b'{"a": [1, "\\ud83d\\ude00", {"b": null}]}') == {"a": [1, "😀", {"b": None}]}


class TestEnvelope:
    def valid(self) -> dict[str, Any]:
        return structured(a_training_completed())

    @pytest.mark.parametrize("raw", [DEEP, HUGE, b'"\\ud800"'], ids=["deep", "huge-int", "surrogate"])
    def test_hostile_data_is_malformed_in_both_modes(self, raw: bytes) -> None:
        with pytest.raises(envelope.MalformedEventError):
            envelope.parse_structured(with_raw(self.valid(), ("data", "score"), raw), TRAINING)
        headers = {"ce-id": "e-1", "ce-source": "s", "ce-type": "TrainingCompleted", "ce-specversion": "1.0"}
        with pytest.raises(envelope.MalformedEventError):
            envelope.parse_binary(headers, raw, TRAINING)

    @pytest.mark.parametrize("moment", EXTREME_TIMES)
    @pytest.mark.parametrize("path", [("time",), ("data", "completed_at")])
    def test_extreme_times_with_offsets_are_invalid(self, moment: str, path: tuple[str, ...]) -> None:
        with pytest.raises(envelope.InvalidEventError):
            envelope.parse_structured(with_raw(self.valid(), path, json.dumps(moment).encode()), TRAINING)

    @pytest.mark.parametrize(
        "content_type",
        ["application/cloudevents+xml", "application/cloudevents+json; charset=utf-16", "application/jsonx",
         "application/json; charset=latin-1"],
    )  # fmt: skip
    def test_only_json_in_utf8_is_an_event_format(self, content_type: str) -> None:
        body = json.dumps(self.valid()).encode()
        with pytest.raises(envelope.MalformedEventError):
            envelope.parse_http(content_type, {}, body, TRAINING)
        assert envelope.parse_http("Application/CloudEvents+JSON; charset=UTF-8", {}, body, TRAINING).id

    @pytest.mark.parametrize(
        "attributes",
        [{"traceparent": "garbage"}, {"traceparent": ""}, {"traceparent": f"00-{'0' * 32}-{'cd' * 8}-01"},
         {"traceparent": f"00-{'ab' * 16}-{'0' * 16}-01"}, {"traceparent": f"ff-{'ab' * 16}-{'cd' * 8}-01"},
         {"traceparent": f"00-{'ab' * 16}-{'cd' * 8}-01-extra"}, {"traceparent": f"00-{'AB' * 16}-{'cd' * 8}-01"},
         {"source": "not a uri at all"}, {"subject": ""}],
    )  # fmt: skip
    def test_trace_context_source_and_subject_are_checked(self, attributes: dict[str, str]) -> None:
        """A garbage traceparent was carried onto the bus as it came (a probe of make run)."""
        with pytest.raises(envelope.InvalidEventError):
            envelope.parse_structured(json.dumps(self.valid() | attributes).encode(), TRAINING)
        kept = {"traceparent": f"00-{'ab' * 16}-{'cd' * 8}-01", "source": "urn:lms", "subject": "p-1"}
        assert envelope.parse_structured(json.dumps(self.valid() | kept).encode(), TRAINING).traceparent
        later = f"01-{'ab' * 16}-{'cd' * 8}-01-more"  # a later version may append fields
        assert envelope.parse_structured(json.dumps(self.valid() | {"traceparent": later}).encode(), TRAINING)

    @pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "a\nb", "x" * 300])
    def test_control_characters_and_long_strings_are_invalid_in_attributes(self, value: str) -> None:
        with pytest.raises(envelope.InvalidEventError):
            envelope.parse_structured(json.dumps(self.valid() | {"source": value}).encode(), TRAINING)


class TestFields:
    @pytest.mark.parametrize("value", ["a\x00", "tab\there", "\x7f", "\x85", "\ud800", "x" * 201, ""])
    def test_text_refuses_control_characters_surrogates_and_length(self, value: str) -> None:
        with pytest.raises(ValidationError):
            TypeAdapter(Text).validate_python(value)

    @pytest.mark.parametrize("value", ["Sri \u202eiruS", "a\u2066b", "a\u202ab"])
    def test_text_and_prose_refuse_bidi_overrides_but_keep_emoji_joiners(self, value: str) -> None:
        """A forum topic or roster name with U+202E was stored and shown reversed on the dashboard."""
        for kind in (Text, Comment):
            with pytest.raises(ValidationError):
                TypeAdapter(kind).validate_python(value)
        assert (
            TypeAdapter(Text).validate_python("antre \U0001f469\u200d\U0001f4bb")
            == "antre \U0001f469\u200d\U0001f4bb"
        )

    def test_prose_keeps_line_breaks_but_not_nul(self) -> None:
        assert TypeAdapter(Comment).validate_python("a\r\nb\tc") == "a\r\nb\tc"
        with pytest.raises(ValidationError):
            TypeAdapter(Comment).validate_python("a\x00b")

    @pytest.mark.parametrize("kind", [Answer, Jp, Points])
    @pytest.mark.parametrize("value", ["true", '"3"', "3.0"])
    def test_integers_are_json_integers(self, kind: Any, value: str) -> None:
        adapter: TypeAdapter[int] = TypeAdapter(kind)
        assert adapter.validate_json("3") == 3
        with pytest.raises(ValidationError):
            adapter.validate_json(value)

    def test_a_score_is_a_number_never_a_boolean_or_a_string(self) -> None:
        adapter: TypeAdapter[float] = TypeAdapter(Score)
        assert (adapter.validate_json("90"), adapter.validate_json("90.5")) == (90, 90.5)
        for value in ("true", '"90"'):
            with pytest.raises(ValidationError):
                adapter.validate_json(value)

    @pytest.mark.parametrize("moment", EXTREME_TIMES)
    def test_extreme_times_are_refused_not_overflowed(self, moment: str) -> None:
        with pytest.raises(ValidationError):
            TypeAdapter(EventTime).validate_json(json.dumps(moment))

    @pytest.mark.parametrize(
        "moment",
        ["1764660000", 1764660000, 1764660000.5, "2026-11-02T09:00:00+0700", "2026-11-02T09:00:00+14:01",
         "2026-11-02T09:00:00-12:30", "2026-11-02 09:00:00Z", "2026-11-02T09:00Z", "20261102T090000Z"],
    )  # fmt: skip
    def test_a_time_is_an_rfc3339_string(self, moment: object) -> None:
        """A unix timestamp was taken as UTC seconds, and +0700 without its colon, by pydantic's lax parser."""
        with pytest.raises(ValidationError):
            TypeAdapter(EventTime).validate_json(json.dumps(moment))
        for kept in ("2026-11-02T09:00:00+07:00", "2026-11-02t02:00:00.123456z", "2026-11-02T09:00:00+14:00"):
            assert TypeAdapter(EventTime).validate_json(json.dumps(kept)).tzinfo is not None

    @pytest.mark.parametrize("moment", EXTREME_TIMES)
    def test_programme_dates_are_bounded(self, moment: str) -> None:
        fields = {"title": "t", "competency": "digital_service", "method": "classroom", "jp": 8,
                  "starts_at": "2026-12-01T09:00:00+07:00", "ends_at": moment, "capacity": 10}  # fmt: skip
        with pytest.raises(ValidationError):
            programmes.ProgramFields.model_validate_json(json.dumps(fields))


class TestXapi:
    def statement(self, **changes: Any) -> dict[str, Any]:
        return {
            "actor": {"account": {"homePage": "https://lms", "name": "199001012015011001"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "https://lms/programs/p-1"},
        } | changes

    @pytest.mark.parametrize(
        "verb", ["\ud800", "http://x/\x00", "http://x/" + "v" * 600], ids=["surrogate", "nul", "long"]
    )
    def test_kept_verbs_are_bounded_text(self, verb: str) -> None:
        with pytest.raises(xapi.UnmappableStatementError):
            xapi.read(self.statement(verb={"id": verb}))

    @pytest.mark.parametrize("moment", [*EXTREME_TIMES, 20261102])
    def test_extreme_timestamps_are_unmappable(self, moment: object) -> None:
        with pytest.raises(xapi.UnmappableStatementError):
            xapi.read(self.statement(timestamp=moment))


class TestSurveyChoices:
    def test_service_types_come_from_the_unit_or_the_kelurahan_defaults(self) -> None:
        settings = SurveySettings(mongodb_url="mongodb://x", service_types={"kec-candisari": ["Paspor"]})
        assert settings.service_types_for("kec-candisari") == ("Paspor",)
        assert {"KTP-el", "KK", "SKTM"} <= set(settings.service_types_for("kel-candi"))
        response = a_survey_submitted(unit_id="kec-candisari", service_type="KTP-el")
        assert [
            p["loc"] for p in decisions.choice_problems(response, settings.service_types_for("kec-candisari"))
        ] == [["body", "service_type"]]

    def test_occupation_comes_from_the_fixed_list(self) -> None:
        settings = SurveySettings(mongodb_url="mongodb://x")
        allowed = settings.service_types_for("kel-candi")
        assert tuple(skm.OCCUPATION_LABELS) == skm.OCCUPATIONS
        good = a_survey_submitted(respondent={"occupation": skm.OCCUPATIONS[0]})
        bad = a_survey_submitted(respondent={"occupation": "Budi, 0812-555"})
        assert decisions.choice_problems(good, allowed) == []
        assert [p["loc"] for p in decisions.choice_problems(bad, allowed)] == [
            ["body", "respondent", "occupation"]
        ]


class Thing(BaseModel):
    text: Text


@pytest.fixture
def key_file(tmp_path: Path) -> apikeys.KeyFile:
    return apikeys.KeyFile(tmp_path / "keys.json")


@pytest.fixture
def client(key_file: apikeys.KeyFile) -> httpx.AsyncClient:
    auth = web.Auth(key_file)
    app = FastAPI()
    web.install(app, max_body_bytes=1024)

    @app.post("/things")
    async def write(
        _: Thing, __: Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "xapi"))]
    ) -> None:
        return None

    async def accept(_: envelope.CloudEvent[events.TrainingCompleted]) -> bool:
        return True

    app.include_router(web.event_intake(auth, web.Intake(units.load()).on(events.TrainingCompleted, accept)))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_streamed_body_over_the_limit_is_413_on_a_model_route(
    client: httpx.AsyncClient, key_file: apikeys.KeyFile
) -> None:
    async def chunks() -> Any:
        for _ in range(4):
            yield b'{"text": "' + b"x" * 500

    answer = await client.post("/things", content=chunks(), headers=bearer(key_file.create("integrator")))
    assert answer.status_code == 413


async def test_403_names_the_missing_scope(client: httpx.AsyncClient, key_file: apikeys.KeyFile) -> None:
    scoped = key_file.create("integrator", ("TrainingCompleted",))
    answer = await client.post("/things", json={"text": "a"}, headers=bearer(scoped))
    assert (answer.status_code, answer.json()["detail"]) == (403, "this key lacks the scope xapi")
    answer = await client.post("/things", json={"text": "a"}, headers=bearer(key_file.create("reader")))
    assert (answer.status_code, answer.json()["detail"]) == (403, "this route needs a key of role integrator")


def rejected(status: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "mutu_events_rejected_total", {"route": "/events", "status": status}
    )
    return value or 0.0


async def test_events_rejected_counts_only_the_events_intake(
    client: httpx.AsyncClient, key_file: apikeys.KeyFile
) -> None:
    key = bearer(key_file.create("integrator"))
    before = rejected("422")
    assert (await client.post("/things", json={"text": "a\x00"}, headers=key)).status_code == 422
    assert rejected("422") == before
    headers = key | {"Content-Type": envelope.CONTENT_TYPE}
    bad = structured(a_training_completed()) | {"source": "a\x00"}
    assert (await client.post("/events", json=bad, headers=headers)).status_code == 422
    assert rejected("422") == before + 1
