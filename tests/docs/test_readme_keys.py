"""The README's key table (Security section) says what tests/access.py says, route by route."""

import re
from pathlib import Path

from tests import access

README = Path(__file__).parents[2] / "README.md"
ROW = re.compile(r"^\| (\w+) \| `(GET|POST|PATCH|PUT|DELETE) ([^`]+)` \| ([^|]+) \|$")


def test_the_readme_key_table_matches_the_access_table() -> None:
    section = README.read_text().split("## Security", 1)[1].split("\n## ", 1)[0]
    documented = {
        (m.group(1), m.group(2), m.group(3)): m.group(4).strip()
        for line in section.splitlines()
        if (m := ROW.match(line))
    }
    expected = {
        route: rule.readme()
        for route, rule in access.ROUTES.items()
        if route[2] not in access.DOCS and route[2] not in access.OPERATIONS
    }
    assert documented == expected
