"""Hypothesis strategies for CloudEvents that are broken in one way each: never acceptable input."""

import json
from typing import Any

from hypothesis import strategies as st

from shared.contract import envelope, events

ATTRIBUTES = ("id", "source", "specversion", "type", "data")  # required in a structured CloudEvent
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# A value no field of an event accepts: an object whose keys no model knows.
ALIEN = st.dictionaries(st.text(max_size=8).map(lambda k: f"zz{k}"), JSON, min_size=1, max_size=3)
# printable ASCII without surrounding blanks: an HTTP client strips or refuses those (h11: "Illegal header value")
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).filter(
    lambda text: text == text.strip()
)

Body = tuple[str, dict[str, str], bytes]  # content type, extra headers, body


def required(model: type[events.Event]) -> list[str]:
    return [name for name, field in model.model_fields.items() if field.is_required()]


def _mutated(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The valid structured event with exactly one thing broken."""
    model = events.BY_TYPE[valid["type"]]
    data_fields = required(model)

    def without(key: str) -> dict[str, Any]:
        return {k: v for k, v in valid.items() if k != key}

    def data_without(key: str) -> dict[str, Any]:
        return valid | {"data": {k: v for k, v in valid["data"].items() if k != key}}

    return st.one_of(
        st.sampled_from(ATTRIBUTES).map(without),
        st.tuples(st.sampled_from([*ATTRIBUTES, "time"]), ALIEN).map(lambda kv: valid | {kv[0]: kv[1]}),
        st.tuples(st.text(min_size=1, max_size=12).map(lambda k: f"zz{k}"), JSON).map(
            lambda kv: valid | {kv[0]: kv[1]}
        ),
        st.text(max_size=12).filter(lambda t: t != "1.0").map(lambda v: valid | {"specversion": v}),
        st.text(max_size=30).filter(lambda t: t not in events.BY_TYPE).map(lambda t: valid | {"type": t}),
        st.sampled_from(data_fields).map(data_without),
        st.tuples(st.sampled_from(data_fields), ALIEN).map(
            lambda kv: valid | {"data": valid["data"] | {kv[0]: kv[1]}}
        ),
        st.tuples(st.text(min_size=1, max_size=12).map(lambda k: f"zz{k}"), JSON).map(
            lambda kv: valid | {"data": valid["data"] | {kv[0]: kv[1]}}
        ),
    )


def structured_bodies(valid: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """Bytes that are not an acceptable structured CloudEvent (for HTTP and AMQP alike)."""
    return st.one_of(
        st.binary(max_size=300).filter(lambda b: not b.strip().startswith(b"{")),
        JSON.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
        st.dictionaries(st.text(max_size=10), JSON, max_size=5).map(lambda v: json.dumps(v).encode()),
        _mutated(valid).map(lambda v: json.dumps(v).encode()),
    )


def _binary_mode(valid: dict[str, Any]) -> st.SearchStrategy[Body]:
    headers = {f"ce-{k}": str(v) for k, v in valid.items() if k not in {"data", "datacontenttype"}}
    data = json.dumps(valid["data"]).encode()
    return st.one_of(
        st.sampled_from(["ce-id", "ce-source", "ce-type", "ce-specversion"]).map(
            lambda h: ("application/json", {k: v for k, v in headers.items() if k != h}, data)
        ),
        st.tuples(st.sampled_from(sorted(headers)), HEADER_TEXT).map(
            lambda hv: ("application/json", headers | {hv[0]: hv[1]}, data)
        ),
        st.binary(max_size=200).map(lambda b: ("application/json", headers, b)),
        _mutated(valid).map(lambda v: ("application/json", headers, json.dumps(v.get("data")).encode())),
    ).filter(lambda case: _not_valid(case, valid))


def _not_valid(case: Body, valid: dict[str, Any]) -> bool:
    """Drop the rare draw that happens to rebuild a valid binary event."""
    _, headers, body = case
    try:
        envelope.parse_binary(headers, body, {valid["type"]: events.BY_TYPE[valid["type"]]})
    except ValueError:
        return True
    return False


def http_requests(valid: dict[str, Any]) -> st.SearchStrategy[Body]:
    """Structured, binary and wrongly typed requests, each broken in one way."""
    return st.one_of(
        structured_bodies(valid).map(lambda b: (envelope.CONTENT_TYPE, {}, b)),
        _binary_mode(valid),
        st.tuples(
            st.sampled_from(["text/plain", "application/xml", "application/cloudevents-batch+json", ""]),
            st.just({}),
            structured_bodies(valid),
        ),
    )
