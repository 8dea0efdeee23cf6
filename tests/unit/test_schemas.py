from pathlib import Path

from shared import events, schemas

COMMITTED = Path(__file__).parents[2] / "schemas"


def test_committed_schemas_match_the_models() -> None:
    rendered = schemas.render_all()
    on_disk = {path.name: path.read_text() for path in COMMITTED.glob("*.json")}
    assert on_disk == rendered, "schemas/ drifted from shared/events.py: run `make schemas`"


def test_every_event_type_has_a_schema() -> None:
    assert {f"{e.__name__}.json" for e in events.ALL} == {p.name for p in COMMITTED.glob("*.json")}
