"""JSON Schemas of the events, generated from the models for subscribers in other languages.

`python -m shared.contract.schemas DIR` writes one `<Type>.json` per event type: the CloudEvent envelope
with that type's `data`.
"""

import json
import sys
from pathlib import Path
from typing import Any

from shared.contract import envelope, events

# What each CloudEvents attribute means here (CloudEvents 1.0 core and the distributed-tracing extension).
ATTRIBUTES = {
    "specversion": "CloudEvents version: always 1.0.",
    "id": "Event id, unique per source; also the AMQP message_id. Consumers deduplicate on it.",
    "source": "URI reference of the producer: urn:mutu:<service>, or the integrator's own URI.",
    "type": "The event type, the PascalCase name of the message.",
    "time": "When the fact happened (RFC 3339 with offset).",
    "datacontenttype": "Content type of data: application/json when present.",
    "dataschema": "URI of the schema data adheres to (optional).",
    "subject": "Subject of the event in the context of the source (optional).",
    "traceparent": "Distributed-tracing extension: W3C trace context of the producing span.",
    "tracestate": "Distributed-tracing extension: vendor-specific W3C trace state.",
    "data": "The event's data: the fields of this event type; unknown fields are refused.",
}


def schema_for(event: type[events.Event]) -> dict[str, Any]:
    """The CloudEvent (structured JSON mode) carrying `event` as its data, as JSON Schema 2020-12."""
    schema = envelope.CloudEvent[event].model_json_schema()  # type: ignore[valid-type]
    schema["title"] = event.__name__
    schema["description"] = (
        f"A {event.__name__} as a CloudEvents 1.0 event in structured JSON mode "
        f"({envelope.CONTENT_TYPE}), routing key {event.routing_key}."
    )
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["type"] = {"const": event.__name__, "title": "Type", "type": "string"}
    for name, prop in schema["properties"].items():
        if name in ATTRIBUTES:  # tests/unit/test_schemas.py wants every attribute described
            prop["description"] = ATTRIBUTES[name]
    schema["x-routing-key"] = event.routing_key
    return schema


def render_all() -> dict[str, str]:
    return {
        f"{e.__name__}.json": json.dumps(schema_for(e), indent=2, sort_keys=True) + "\n" for e in events.ALL
    }


def write(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in render_all().items():
        (directory / name).write_text(text)


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas"))
