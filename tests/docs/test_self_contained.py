"""The repository explains itself: nothing in it points at notes a person who clones it does not
have, or at issue numbers instead of the reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("src", "tests", "docs", "bench")
FILES = ("README.md", "CONTRIBUTING.md", "Makefile", "pyproject.toml")
SKIP_DIRS = {"__pycache__", "vendor", "node_modules"}
# Built from parts so that this file does not name them itself.
OUTSIDE_NOTES = tuple(a + b for a, b in (("DESIGN", ".md"), ("API", ".md"),
                                         ("FIELD", "-NOTES"), ("CONVENTIONS", ".md")))
ISSUE_MARKER = re.compile(r"\b" + "issue" + r" ?#?\d|\(" + "issue", re.IGNORECASE)


def text_files() -> Iterator[tuple[Path, str]]:
    paths = [ROOT / name for name in FILES]
    for tree in TREES:
        paths += sorted(p for p in (ROOT / tree).rglob("*")
                        if p.is_file() and not SKIP_DIRS.intersection(p.parts)
                        and not any(part.endswith(".egg-info") for part in p.parts))
    for path in paths:
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary: fonts, images, compiled catalogs
        yield path, data.decode("utf-8", errors="replace")


def test_no_pointer_to_notes_outside_the_repository() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path, text in text_files()
             for number, line in enumerate(text.splitlines(), 1)
             if any(needle in line for needle in OUTSIDE_NOTES)]
    assert not found, ("these name notes that are not in the repository; point at docs/ or "
                       "give the reason instead:\n" + "\n".join(found))


def test_no_issue_numbers_in_place_of_reasons() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path, text in text_files() if path.suffix in {".py", ".md"}
             for number, line in enumerate(text.splitlines(), 1)
             if ISSUE_MARKER.search(line)]
    assert not found, "say why instead of naming an issue:\n" + "\n".join(found)
