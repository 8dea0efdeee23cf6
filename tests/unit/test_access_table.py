"""The access table (tests/access.py) names every route of the four apps with the key it needs."""

from pathlib import Path

from tests import access
from tests.unit.test_web_routes import routes


def test_the_table_lists_every_route_with_its_key_requirement(tmp_path: Path) -> None:
    found: dict[tuple[str, str, str], access.Access] = {}
    for service, method, path, needs in routes(tmp_path):
        if method == "HEAD":
            continue
        table = access.ROUTES.get((service, method, path))
        assert table is not None, f"{service} {method} {path} is missing from tests/access.py"
        roles = {(n.role, n.scope) for n in needs}
        if path == "/events":  # the route needs an integrator; the event type is the scope
            assert roles == {("integrator", None)}
        else:
            assert roles == ({(table.role, table.scope)} if table.role else set()), (service, method, path)
        found[(service, method, path)] = table
    assert set(found) == set(access.ROUTES)
