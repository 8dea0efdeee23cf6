"""The README's event and module tables match the code: every event, its producer, every module."""

import importlib
import re
from pathlib import Path

from shared.contract import events

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
SERVICES = ("training", "survey", "evaluation", "rewards")


def section(title: str) -> str:
    return README.read_text().split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_the_event_table_lists_every_event_type_with_its_routing_key() -> None:
    rows = dict(re.findall(r"^\| (\w+) \| ([a-z_.]+) \|", section("Events"), flags=re.MULTILINE))
    assert rows == {event.__name__: event.routing_key for event in events.ALL}


def test_the_event_table_names_the_service_that_publishes_each_event() -> None:
    producers = {
        event.__name__: service
        for service in SERVICES
        for event in importlib.import_module(f"services.{service}.model").PUBLISHES
    }
    rows = re.findall(r"^\| (\w+) \| [a-z_.]+ \| ([^|]+) \|", section("Events"), flags=re.MULTILINE)
    for name, producer in rows:
        if "contract only" in producer:
            assert name not in producers, f"{name} is published by {producers[name]} now"
        else:
            assert producer.split()[0] == producers.get(name), name


def module_rows() -> list[list[str]]:
    table = section("Architecture").split("| module | job |", 1)[1]
    return [
        re.findall(r"`([^`]+)`", line.split("|")[1])
        for line in table.splitlines()[2:]
        if line.startswith("|")
    ]


def mentioned_paths() -> list[Path]:
    """The paths of the module column: a name without a `/` is beside the row's first path."""
    found = []
    for names in module_rows():
        first = names[0]
        services = SERVICES if "<name>" in first else ("",)
        for service in services:
            base = ROOT / first.replace("<name>", service)
            found.append(base)
            found += [base.parent / name for name in names[1:]]
    return found


def test_every_module_the_table_names_exists() -> None:
    missing = []
    for path in mentioned_paths():
        package = path.with_suffix("") if path.suffix == ".py" else path
        optional = path.name == "metrics.py"  # not every service needs metrics of its own
        if not (path.exists() or package.is_dir() or optional):
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_the_table_names_every_module_of_shared() -> None:
    named = {path.resolve() for path in mentioned_paths()}
    modules = [
        p
        for p in (ROOT / "shared").rglob("*")
        if p.suffix in {".py", ".toml"}
        and (p.name != "__init__.py" or re.search(r"^(def|class) ", p.read_text(), re.MULTILINE))
    ]
    unnamed = [str(p.relative_to(ROOT)) for p in modules if not {p.resolve(), p.parent.resolve()} & named]
    assert unnamed == []
