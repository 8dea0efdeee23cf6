"""Import direction: services -> shared, never back, and no service imports another."""

import ast
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
