"""Every template a page renders is in git (so in the wheel and the image), not hidden by .gitignore."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_every_rendered_template_is_tracked() -> None:
    tracked = set(
        subprocess.run(
            ["git", "ls-files", "services"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    named = set()
    for path in (ROOT / "services").rglob("*.py"):
        for name in re.findall(r'"([a-z_]+\.html)"', path.read_text()):
            named.add(f"services/{path.relative_to(ROOT / 'services').parts[0]}/templates/{name}")
    for path in (ROOT / "services").rglob("templates/*.html"):
        named |= {
            f"{path.parent.relative_to(ROOT)}/{n}"
            for n in re.findall(r'{% extends "([a-z_]+\.html)" %}', path.read_text())
        }
    assert named
    assert named <= tracked, sorted(named - tracked)
