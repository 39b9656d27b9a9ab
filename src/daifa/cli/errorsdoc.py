"""docs/errors.md, generated from the error classes so the list of codes cannot drift.

Only the class attributes `code`, `status` and `title` are read: how a message is worded for one
request (its detail) is the raising code's business and is not part of the list.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass

import daifa
from daifa.errors import DaifaError

HEADER = """# Error codes

Generated from the error classes in `src/daifa/errors.py` and `src/daifa/**/errors.py` by
`daifa docs errors --write` (a test fails when this file is out of date).

Every error the API returns is `application/problem+json` with a stable upper-snake `code`
(see [api.md](api.md#errors)); the console shows a translated message for the code, and the
CLI exits with a code that depends on the status. Match on `code`, never on `title` or
`detail`: the code is the contract, the words may change. The title below is the generic one; a
response's `detail` says what was wrong with that request.

Besides these, the HTTP layer answers with the generic code of its status where the framework
itself refuses a request before any domain code runs: `BAD_REQUEST` (400, the body is not
JSON), `METHOD_NOT_ALLOWED` (405, with `Allow`), `NOT_ACCEPTABLE` (406), `PAYLOAD_TOO_LARGE`
(413), `UNSUPPORTED_MEDIA_TYPE` (415), `VALIDATION_FAILED` (422, a body or query that does not
fit the schema, with `errors: [{loc, msg, type}]`) and `INTERNAL_ERROR` (500, a bug; nothing
was changed). A malformed list cursor is 422 `INVALID_CURSOR`.

| code | HTTP | title | package |
|---|---|---|---|
"""


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    title: str
    package: str


def package_of(module: str) -> str:
    """`daifa.dispatch.errors` → `dispatch`; `daifa.errors` (the shared base classes) → `daifa`."""
    return module.removesuffix(".errors").removeprefix("daifa.")


def error_modules() -> Iterator[str]:
    yield "daifa.errors"
    for info in sorted(pkgutil.walk_packages(daifa.__path__, "daifa."), key=lambda m: m.name):
        if info.name.endswith(".errors"):
            yield info.name


def codes() -> list[ErrorCode]:
    """One entry per code, sorted by code. A class that only inherits its parent's code adds
    nothing; a code defined in several packages names them all."""
    found: dict[str, ErrorCode] = {}
    for module_name in error_modules():
        module = importlib.import_module(module_name)
        for _name, value in sorted(vars(module).items()):
            if not (isinstance(value, type) and issubclass(value, DaifaError)) \
                    or value is DaifaError:  # the abstract base, never raised as such
                continue
            if value.__module__ != module_name or "code" not in vars(value):
                continue
            code = str(value.code)
            entry = ErrorCode(code, int(value.status), str(getattr(value, "title", "") or ""),
                              package_of(module_name))
            seen = found.get(code)
            if seen is None:
                found[code] = entry
            elif entry.package not in seen.package.split(", "):
                found[code] = ErrorCode(code, seen.status, seen.title,
                                        f"{seen.package}, {entry.package}")
    return sorted(found.values(), key=lambda e: e.code)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    rows = [f"| `{e.code}` | {e.status} | {_cell(e.title)} | `{e.package}` |\n"
            for e in codes()]
    return HEADER + "".join(rows)
