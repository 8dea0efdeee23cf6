"""Import direction: services -> shared, never back, and no service imports another."""

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_shared_imports_nothing_from_services() -> None:
    for path in (ROOT / "shared").rglob("*.py"):
        assert not any(m.startswith(("services", "mutu")) for m in imported_modules(path)), path


def test_no_service_imports_another() -> None:
    for service_dir in (ROOT / "services").iterdir():
        if not service_dir.is_dir() or service_dir.name.startswith("_"):
            continue
        for path in service_dir.rglob("*.py"):
            for module in imported_modules(path):
                if module.startswith("services."):
                    assert module.split(".")[1] == service_dir.name, f"{path} imports {module}"


def test_services_start_without_the_command_line() -> None:
    """`python -m services.<name>` needs only the service and shared; the CLI lists the services."""
    for path in (ROOT / "services").rglob("*.py"):
        assert not [m for m in imported_modules(path) if m.startswith("mutu")], path


def test_shared_knows_no_service_by_name() -> None:
    names = [p.name for p in (ROOT / "services").iterdir() if p.is_dir() and not p.name.startswith("_")]
    for path in (ROOT / "shared").rglob("*.py"):
        text = path.read_text()
        assert not [n for n in names if f'"{n}"' in text], path


# Services already in the template shape (issue 16); the others join this list as they move.
TEMPLATE = ("evaluation", "rewards", "survey", "training")
TEMPLATE_FILES = ("app.py", "settings.py", "model.py", "repository.py", "handlers.py", "routes.py")


def part_of(service: str, name: str) -> list[Path]:
    """The files of one template part: `<name>.py`, or the modules of the package `<name>/`."""
    module = ROOT / "services" / service / f"{name}.py"
    return [module] if module.exists() else sorted((ROOT / "services" / service / name).rglob("*.py"))


def test_template_services_have_the_same_files() -> None:
    for service in TEMPLATE:
        base = ROOT / "services" / service
        present = {path.name for path in base.glob("*.py")} | {
            f"{path.parent.name}.py" for path in base.glob("*/__init__.py")
        }
        assert set(TEMPLATE_FILES) <= present, f"{service} lacks {set(TEMPLATE_FILES) - present}"


def test_only_the_repository_touches_the_store() -> None:
    store_modules = (
        "pymongo",
        "shared.persistence.aggregates",
        "shared.persistence.storage",
        "shared.persistence.group_commit",
    )
    for service in TEMPLATE:
        allowed = {*part_of(service, "repository"), *part_of(service, "app")}
        for path in (ROOT / "services" / service).rglob("*.py"):
            if path in allowed:
                continue
            touching = [m for m in imported_modules(path) if m.startswith(store_modules)]
            assert not touching, f"{path} imports {touching}"


def test_model_and_handlers_know_no_web_framework_or_driver() -> None:
    for service in TEMPLATE:
        for path in (*part_of(service, "model"), *part_of(service, "handlers")):
            modules = imported_modules(path)
            web_or_driver = ("fastapi", "starlette", "pymongo", "faststream")
            assert not [m for m in modules if m.startswith(web_or_driver)], path


def constructed_events(service: str) -> set[str]:
    """`events.X(...)` calls in a service: the events it really builds to publish."""
    names: set[str] = set()
    for path in (ROOT / "services" / service).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "events"
            ):
                names.add(node.func.attr)
    return names


def test_each_template_service_declares_what_it_publishes() -> None:
    """Every event it builds is declared; every declared one is built, or taken in and passed on."""
    for service in TEMPLATE:
        declared = {e.__name__ for e in importlib.import_module(f"services.{service}.model").PUBLISHES}
        built = constructed_events(service)
        assert built <= declared, f"{service} publishes undeclared {built - declared}"
        declaring = (
            ROOT / "services" / service / "model.py",
            ROOT / "services" / service / "model" / "__init__.py",
        )
        code = "\n".join(
            p.read_text() for p in (ROOT / "services" / service).rglob("*.py") if p not in declaring
        )
        assert all(f"events.{name}" in code for name in declared), service
