"""What no input may carry, whatever its schema says: checks over parsed JSON and plain text.

The database holds 64-bit integers, text without NUL characters (PostgreSQL refuses them) and
valid UTF-8 (an unpaired surrogate cannot be encoded); deeply nested JSON costs the parser and
the encoders (orjson stops at 255 levels) more than any real request needs. These checks run
once per request, before its body meets a schema (docs/api.md, "Conventions").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_DEPTH = 32
# Times the hub stores and computes with (deadlines are added to them): far from both ends of
# what Python's datetime and the databases hold, whatever the UTC offset.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)

# In a JSON body a NUL or a surrogate can only arrive escaped (\u0000, \ud800) or, for a
# surrogate, as its raw UTF-8 bytes (json.loads decodes with "surrogatepass"); bodies without
# any of these skip the text check.
_SUSPECT_TEXT = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE = re.compile("[\ud800-\udfff]")


# Whitespace as both regex dialects see it: `\s` in the document's JSON Schema (ECMA-262) takes
# U+FEFF and not U+0085, in the engine pydantic checks patterns with (Rust's) the other way round.
# Naming both keeps /openapi.json saying exactly what is checked.
SPACE = r"\s\u0085\ufeff"
VISIBLE = rf"[^{SPACE}]"  # as a pattern: some character that is not whitespace


@dataclass(frozen=True)
class Problem:
    kind: str  # "text", "integer" or "depth"
    where: str  # dotted path of the value, "body" for the top level


def bad_text(value: str) -> bool:
    """A NUL character or an unpaired surrogate (paired ones never reach a str from JSON)."""
    return "\x00" in value or (not value.isascii() and _SURROGATE.search(value) is not None)


def may_hold_bad_text(raw: bytes) -> bool:
    return _SUSPECT_TEXT.search(raw) is not None


def first_problem(value: Any, *, text: bool = True, where: str = "body",
                  depth: int = 0) -> Problem | None:
    """The first value a database or encoder could not take, walking parsed JSON."""
    kind = type(value)
    if kind is str:
        return Problem("text", where) if text and bad_text(value) else None
    if kind is int:
        return None if INT64_MIN <= value <= INT64_MAX else Problem("integer", where)
    if kind is dict:
        items: Any = value.items()
    elif kind is list:
        items = enumerate(value)
    else:
        return None
    if depth >= MAX_DEPTH:
        return Problem("depth", where)
    for key, item in items:
        place = f"{where}.{key}"
        if text and kind is dict and bad_text(key):
            return Problem("text", place)
        found = first_problem(item, text=text, where=place, depth=depth + 1)
        if found is not None:
            return found
    return None


def first_bad_param(params: Mapping[str, str]) -> str | None:
    """The name of the first path or query parameter holding a NUL or a surrogate."""
    for name, value in params.items():
        if bad_text(name) or bad_text(value):
            return name
    return None


def _in_range(value: datetime) -> datetime:
    try:
        instant = value.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST <= instant < LATEST:
        raise PydanticCustomError("date_out_of_range",
                                  "a time from {earliest} up to {latest} (UTC)",
                                  {"earliest": EARLIEST.date().isoformat(),
                                   "latest": LATEST.date().isoformat()})
    return instant


def _written(value: Any) -> Any:
    """A time written out (ISO 8601), never a number: pydantic would read one, or digits in a
    query string, as seconds since 1970, a time without the offset the API asks for."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise PydanticCustomError("datetime_type",
                                  "Input should be a time in ISO 8601 with a UTC offset")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# A time with a UTC offset, inside the range the hub can store and add deadlines to; given
# back in UTC.
Instant = Annotated[AwareDatetime, BeforeValidator(_written), AfterValidator(_in_range)]


def _whole(value: Any) -> Any:
    """No true/false and no 3.0 where a count or an id belongs; digits in text (forms, cells)
    still parse."""
    if isinstance(value, bool | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _flag(value: Any) -> Any:
    """No 0/1 where a yes or no belongs; true/false, and the words forms send, still parse."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")
    return value


# The integers and booleans of input schemas: within what a BIGINT column holds, and never the
# other one in disguise (JSON true for 1, or 0 for false).
Int = Annotated[int, BeforeValidator(_whole), Field(ge=INT64_MIN, le=INT64_MAX)]
Flag = Annotated[bool, BeforeValidator(_flag)]
# An id or code inside a list or as a map key (Supplier IDs, dispatch order numbers, SKU codes):
# the lists are bounded by their fields, their items by this.
Key = Annotated[str, Field(min_length=1, max_length=64)]
