"""Every route of the four apps: personal-data reads need a reader key, every write needs a key."""

import importlib
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from mutu import launcher
from shared import web

# The anonymous kiosk form (JSON) and its HTML page: the same record path, size and rate limits.
PUBLIC_WRITES = {
    ("survey", "POST", "/responses"),
    ("survey", "POST", "/s/{unit_id}"),
    ("survey", "POST", "/t/{ticket}"),  # the form of a service ticket: its code is the key
}
# Reads without {nip} in the path whose answers still list NIPs.
NIP_LISTS = {("rewards", "GET", "/leaderboard"), ("evaluation", "GET", "/recommendations")}


def build(service: str, tmp_path: Path) -> FastAPI:
    """The app as its composition root makes it; dummy URLs, nothing is connected."""
    settings = launcher.settings_for(
        service,
        mongodb_url="mongodb://127.0.0.1:9/",
        amqp_url="amqp://nobody:nothing@127.0.0.1:9/",
        var_dir=tmp_path,
    )
    app: FastAPI = importlib.import_module(f"services.{service}.app").create_app(settings)
    return app


def requirements(dependant: Dependant) -> list[web.Requirement]:
    found = [dependant.call] if isinstance(dependant.call, web.Requirement) else []
    return found + [r for sub in dependant.dependencies for r in requirements(sub)]


def routes(tmp_path: Path) -> list[tuple[str, str, str, list[web.Requirement]]]:
    table = []
    for service in launcher.SERVICES:
        for route in iter_route_contexts(build(service, tmp_path).routes):
            dependant = getattr(route, "dependant", None)
            needs = requirements(dependant) if dependant is not None else []
            table += [(service, method, route.path or "", needs) for method in route.methods or ()]
    return table


def test_every_personal_data_route_needs_a_reader_key(tmp_path: Path) -> None:
    table = routes(tmp_path)
    personal = [(s, m, p, needs) for s, m, p, needs in table if "{nip}" in p or (s, m, p) in NIP_LISTS]
    assert len(personal) >= 5
    for service, method, path, needs in personal:
        roles = {n.role for n in needs}
        allowed = {"reader"} if method == "GET" else {"reader", "integrator", "admin"}
        assert roles, f"{service} {method} {path} needs no key"
        assert roles <= allowed, f"{service} {method} {path} needs {roles}"


def test_every_write_needs_a_key_except_the_public_survey_form(tmp_path: Path) -> None:
    writes = [
        (s, m, p, needs) for s, m, p, needs in routes(tmp_path) if m in {"POST", "PATCH", "DELETE", "PUT"}
    ]
    assert len(writes) >= 10
    public = {(s, m, p) for s, m, p, needs in writes if not needs}
    assert public == PUBLIC_WRITES


@pytest.mark.parametrize("service", launcher.SERVICES)
def test_every_app_documents_its_key_as_a_bearer_scheme(service: str, tmp_path: Path) -> None:
    schema = build(service, tmp_path).openapi()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
