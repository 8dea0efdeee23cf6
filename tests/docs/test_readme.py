"""The README's event table names every event type of shared/events.py with its routing key."""

import re
from pathlib import Path

from shared import events

README = Path(__file__).parents[2] / "README.md"


def test_the_event_table_lists_every_event_type_with_its_routing_key() -> None:
    section = README.read_text().split("## Events", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\w+) \| ([a-z_.]+) \|", section, flags=re.MULTILINE))
    assert rows == {event.__name__: event.routing_key for event in events.ALL}
