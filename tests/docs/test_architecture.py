"""The dependency direction of docs/architecture.md, checked by import-linter on every test run,
and the package map there kept complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_every_package_is_on_the_map() -> None:
    """A package added under src/daifa gets its line in the map. Packages the map names that
    do not exist yet (or any more) are not an error: the map may run ahead of the code."""
    mapped = set(re.findall(r"^\| `(\w+)/` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    packages = {p.parent.name for p in (ROOT / "src" / "daifa").glob("*/__init__.py")}
    missing = sorted(packages - mapped)
    assert not missing, f"add these packages to the map in docs/architecture.md: {missing}"
