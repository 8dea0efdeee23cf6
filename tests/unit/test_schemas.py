"""schemas/: current with the models, valid JSON Schema 2020-12, and every example event fits its schema."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shared.contract import envelope, events, schemas
from tests import builders

COMMITTED = Path(__file__).parents[2] / "schemas"
EXAMPLES = [build() for build in builders.EXAMPLES.values()]


def test_committed_schemas_match_the_models() -> None:
    rendered = schemas.render_all()
    on_disk = {path.name: path.read_text() for path in COMMITTED.glob("*.json")}
    assert on_disk == rendered, "schemas/ drifted from shared/contract/events.py: run `make schemas`"


def test_every_event_type_has_a_schema_and_an_example() -> None:
    assert {f"{e.__name__}.json" for e in events.ALL} == {p.name for p in COMMITTED.glob("*.json")}
    assert set(builders.EXAMPLES) == set(events.ALL)


@pytest.mark.parametrize("path", sorted(COMMITTED.glob("*.json")), ids=lambda p: p.stem)
def test_each_schema_passes_its_metaschema(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    undescribed = [name for name, prop in schema["properties"].items() if not prop.get("description")]
    assert undescribed == [], "describe them in shared.contract.schemas.ATTRIBUTES"


@pytest.mark.parametrize("data", EXAMPLES, ids=lambda d: type(d).__name__)
def test_each_example_on_the_wire_fits_its_schema_and_parses_back(data: events.Event) -> None:
    """A FeedbackReceived without a forum went out without `forum_id`, which its schema required."""
    wire = envelope.to_json(builders.wrapped(data))
    _validator(type(data).__name__).validate(json.loads(wire))
    assert envelope.parse_structured(wire).data == data


def test_the_readme_example_event_fits_its_schema() -> None:
    event = _readme_event()
    _validator(event["type"]).validate(event)
    envelope.parse(event)


def test_a_feedback_without_a_forum_may_omit_or_null_the_forum() -> None:
    event = builders.structured(builders.a_feedback_received())
    assert "forum_id" not in event["data"]
    _validator("FeedbackReceived").validate(event)
    _validator("FeedbackReceived").validate(event | {"data": event["data"] | {"forum_id": None}})


def _validator(event_type: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((COMMITTED / f"{event_type}.json").read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _readme_event() -> dict[str, Any]:
    """The CloudEvent the README's quick start posts with curl."""
    readme = (COMMITTED.parent / "README.md").read_text()
    start = readme.index("-H 'Content-Type: application/cloudevents+json' -d '") + len(
        "-H 'Content-Type: application/cloudevents+json' -d '"
    )
    loaded: dict[str, Any] = json.loads(readme[start : readme.index("'", start)])
    return loaded
