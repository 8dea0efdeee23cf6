"""`mutu asyncapi`: the combined AsyncAPI document of the four services, written to docs/asyncapi.yaml.

Each service is composed as it would run (nothing connects) and asked for its own document at
`GET /asyncapi.json`, so the combined file says exactly what the services serve.
"""

import argparse
import importlib
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from mutu import launcher
from shared.contract import asyncapi, events

DEFAULT_PATH = Path("docs/asyncapi.yaml")
UNUSED_STORE = "mongodb://127.0.0.1:1/?connect=false"


def served(service: str) -> dict[str, Any]:
    """The document `service` serves, from an app that is built but never started."""
    settings = launcher.settings_for(service, mongodb_url=UNUSED_STORE)
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    document: dict[str, Any] = TestClient(app).get("/asyncapi.json").raise_for_status().json()
    return document


def combined() -> dict[str, Any]:
    """One document for all services: their operations, the channels and schemas they use."""
    triples = []
    for service in launcher.SERVICES:
        operations = served(service)["operations"]
        by_action: dict[str, list[type[events.Event]]] = {"receive": [], "send": []}
        for operation_id, operation in operations.items():
            event = events.BY_TYPE[operation_id.split(".", 1)[1].removeprefix(operation["action"])]
            by_action[operation["action"]].append(event)
        triples.append((service, by_action["receive"], by_action["send"]))
    return asyncapi.document(triples, every_event=True)


def render() -> str:
    return asyncapi.to_yaml(combined())


def _write(args: argparse.Namespace) -> None:
    path: Path = args.output
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())
    print(f"wrote {path}")


def add_to(commands: Any) -> None:
    tool = commands.add_parser("asyncapi", help="write the combined AsyncAPI document of the services")
    tool.add_argument("--output", type=Path, default=DEFAULT_PATH)
    tool.set_defaults(handler=_write)
