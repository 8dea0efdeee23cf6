"""CloudEvents 1.0: the CloudEvent[Data] model, wrap(), and structured/binary parsing."""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.contract import events, strictjson
from shared.contract.fields import EventTime, Identifier, Line, TraceParent

CONTENT_TYPE = "application/cloudevents+json"
_ATTRIBUTES = ("id", "source", "specversion", "type", "time", "subject", "dataschema")
_EXTENSIONS = ("traceparent", "tracestate")


class CloudEvent[DataT: events.Event](BaseModel):
    """One CloudEvent in structured JSON mode; `data` is the typed event body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: Identifier
    source: Line = Field(min_length=1, max_length=256, pattern=r"^\S+$")  # a URI-reference: no spaces
    type: Line = Field(min_length=1, max_length=64)
    time: EventTime | None = None
    datacontenttype: Literal["application/json"] | None = None
    dataschema: Line | None = Field(default=None, max_length=512)
    subject: Line | None = Field(default=None, min_length=1, max_length=256)
    traceparent: TraceParent | None = None
    tracestate: Line | None = Field(default=None, max_length=512)
    data: DataT


class MalformedEventError(ValueError):
    """The bytes are not a CloudEvent at all (bad JSON, missing attributes): HTTP 400."""


class InvalidEventError(ValueError):
    """A CloudEvent whose type is not accepted or whose data breaks the schema: HTTP 422."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))
        self.errors = errors


def wrap[DataT: events.Event](
    data: DataT,
    *,
    source: str,
    event_id: str | None = None,
    time: dt.datetime | None = None,
    traceparent: str | None = None,
) -> CloudEvent[DataT]:
    """Put event data in an envelope; a given id makes the envelope deterministic."""
    return CloudEvent[DataT](
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=type(data).__name__,
        time=time or dt.datetime.now(dt.UTC),
        datacontenttype="application/json",
        traceparent=traceparent,
        data=data,
    )


def to_json(event: CloudEvent[Any]) -> bytes:
    return event.model_dump_json(exclude_none=True, serialize_as_any=True).encode()


def parse(
    raw: Mapping[str, Any], accepted: Mapping[str, type[events.Event]] | None = None
) -> CloudEvent[events.Event]:
    """Validate a decoded structured CloudEvent against the model of its `type`."""
    if raw.get("specversion") != "1.0" or not isinstance(raw.get("type"), str):
        msg = "not a CloudEvents 1.0 event: specversion '1.0' and a string type are required"
        raise MalformedEventError(msg)
    event_type: str = raw["type"]
    model = (accepted if accepted is not None else events.BY_TYPE).get(event_type)
    if model is None:
        raise InvalidEventError(
            [
                {
                    "loc": ("type",),
                    "msg": f"event type {event_type!r} is not accepted here",
                    "type": "value_error",
                }
            ]
        )
    try:
        return CloudEvent[model].model_validate(raw)  # type: ignore[valid-type]
    except ValidationError as error:
        raise InvalidEventError(_clean(error)) from None


def parse_structured(
    body: bytes, accepted: Mapping[str, type[events.Event]] | None = None
) -> CloudEvent[events.Event]:
    raw = _json(body)
    if not isinstance(raw, dict):
        msg = "a structured CloudEvent is a JSON object"
        raise MalformedEventError(msg)
    return parse(raw, accepted)


def parse_binary(
    headers: Mapping[str, str], body: bytes, accepted: Mapping[str, type[events.Event]] | None = None
) -> CloudEvent[events.Event]:
    """HTTP binary mode: attributes in `ce-*` headers, `data` is the body."""
    lowered = {key.lower(): value for key, value in headers.items()}
    raw: dict[str, Any] = {}
    for name in (*_ATTRIBUTES, *_EXTENSIONS):
        if (value := lowered.get(f"ce-{name}")) is not None:
            raw[name] = unquote(value)
    if "id" not in raw or "source" not in raw:
        msg = "binary-mode CloudEvent needs ce-id, ce-source, ce-specversion and ce-type headers"
        raise MalformedEventError(msg)
    raw["data"] = _json(body)
    raw["datacontenttype"] = "application/json"
    return parse(raw, accepted)


def parse_http(
    content_type: str,
    headers: Mapping[str, str],
    body: bytes,
    accepted: Mapping[str, type[events.Event]],
) -> CloudEvent[events.Event]:
    """Receiver rule of the HTTP binding: `application/cloudevents*` is structured, else binary.

    The only event format is JSON in UTF-8: structured mode is `application/cloudevents+json`,
    binary mode `application/json`, either with no charset or `charset=utf-8`.
    """
    media_type = _media_type(content_type)
    if media_type.startswith("application/cloudevents-batch"):
        msg = "batched CloudEvents are not accepted"
        raise MalformedEventError(msg)
    if media_type.startswith("application/cloudevents"):
        if media_type != CONTENT_TYPE:
            msg = f"the only structured event format is {CONTENT_TYPE}"
            raise MalformedEventError(msg)
        return parse_structured(body, accepted)
    if media_type != "application/json":
        msg = "binary-mode data must be application/json"
        raise MalformedEventError(msg)
    return parse_binary(headers, body, accepted)


def _media_type(content_type: str) -> str:
    """The media type of a Content-Type, lowercased; MalformedEventError for a charset but UTF-8."""
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') != "utf-8":
            msg = "event bodies are UTF-8 (charset=utf-8 or none)"
            raise MalformedEventError(msg)
    return media_type


def _json(body: bytes) -> Any:
    """The body as JSON; deep nesting, huge numbers, lone surrogates... are MalformedEventError too."""
    try:
        return strictjson.loads(body)
    except strictjson.NotJsonError as error:
        msg = f"body is not JSON we accept: {error}"
        raise MalformedEventError(msg) from None


def _clean(error: ValidationError) -> list[dict[str, Any]]:
    """Field-level reasons without echoing the input (it may hold personal data)."""
    return [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in error.errors()]
