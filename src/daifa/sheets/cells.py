"""Cells as the text or number a person meant, refusing what Excel may have mangled.

Excel keeps 15 significant digits: a longer number (an order ID of 19 digits, a tracking number)
typed into a General cell is rounded, and what comes back is 1.23457E+18 or a float that lost
its last digits. Identifier columns therefore take text only: a number of 16 or more digits, a
float with a fraction, scientific notation, a date or TRUE/FALSE is refused as ``ID_NOT_TEXT``;
long digit strings stored as text stay exactly as they are.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal

from daifa.sheets.read import Cell

EXCEL_DIGITS = 15
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_LIMIT = 10**EXCEL_DIGITS


class CellError(Exception):
    """A cell that cannot be what its column needs: a code of the shared messages."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def text(value: Cell) -> str:
    """A cell as the text a person sees: 1200.0 → '1200', 12.5 → '12.5', dates in ISO form."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def id_text(value: Cell) -> str:
    """An identifier cell as text ('' when empty), refusing numbers Excel may have rounded."""
    if isinstance(value, str):
        found = value.strip()
        if ("E" in found or "e" in found) and _SCIENTIFIC.fullmatch(found):
            raise CellError("ID_NOT_TEXT")
        return found
    if value is None:
        return ""
    if isinstance(value, bool | date | time):
        raise CellError("ID_NOT_TEXT")
    if isinstance(value, int):
        if abs(value) >= _LIMIT:
            raise CellError("ID_NOT_TEXT")
        return str(value)
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= _LIMIT:
            raise CellError("ID_NOT_TEXT")
        return str(int(value))
    return str(value).strip()


def whole(value: Cell, low: int, high: int, code: str = "INVALID_NUMBER") -> int:
    """A whole number from low to high: 3, 3.0, '3', '3.0' or full-width '３'."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        found = unicodedata.normalize("NFKC", value).strip()
        found = found[:-2] if found.endswith(".0") else found
        number = int(found) if found.isascii() and found.isdigit() else None
    if number is None or not low <= number <= high:
        raise CellError(code, low=low, high=high)
    return number
