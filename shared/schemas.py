"""JSON Schemas of the events, generated from the models for subscribers in other languages.

`python -m shared.schemas DIR` writes one `<Type>.json` per event type: the CloudEvent envelope
with that type's `data`.
"""

import json
import sys
from pathlib import Path
from typing import Any

from shared import envelope, events


def schema_for(event: type[events.Event]) -> dict[str, Any]:
    schema = envelope.CloudEvent[event].model_json_schema()  # type: ignore[valid-type]
    schema["title"] = event.__name__
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["type"] = {"const": event.__name__, "title": "Type", "type": "string"}
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
