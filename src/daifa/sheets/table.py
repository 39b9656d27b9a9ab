"""Columns as declared by an importer, the header that finds them, the rows under it.

The first non-blank row is the header; headers match without case, spaces, full-width forms or
a trailing `(…)`/`*`. Blank rows are skipped but count towards the row limit, like every other
row; row numbers are the spreadsheet's own (第N行): under a header in row 1 the first data row
is row 2.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from daifa.sheets.bounds import Limits, check_xlsx
from daifa.sheets.errors import SheetEmpty, SheetHeaderInvalid, SheetTooLarge, SheetTooSlow
from daifa.sheets.read import Cell, FileType, open_records, sniff

CLOCK_EVERY = 4096  # rows between looks at the clock


@dataclass(frozen=True)
class Column:
    """A column: its canonical (English) name, the Chinese header of the templates, the other
    headers people use, and whether it holds an identifier (kept as text, never a number)."""

    name: str
    label: str  # the console's message id for the column: the name, translated per locale
    zh: str
    aliases: tuple[str, ...] = ()
    is_id: bool = False


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    required: tuple[tuple[str, ...], ...]  # groups: one column of each must be there
    together: tuple[tuple[str, str], ...] = ()  # both or neither

    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def label(self, name: str) -> str:
        return next((c.label for c in self.columns if c.name == name), name)


@dataclass(frozen=True)
class Sheet:
    file_type: FileType
    encoding: str | None
    headers: dict[str, str]  # each column found, with the header text the file used
    index: dict[str, int]  # each column found, with its position
    rows: list[tuple[int, Sequence[Cell]]] = field(default_factory=list)


def header_key(text: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    return re.sub(r"\(.*\)$", "", key).rstrip("*")


def read_sheet(data: bytes, filename: str | None, layout: Layout, limits: Limits) -> Sheet:
    """The file's header and rows. Raises UNREADABLE_FILE, SHEET_EMPTY, SHEET_HEADER_INVALID,
    SHEET_TOO_LARGE, SHEET_TOO_WIDE, SHEET_UNPACKS_TOO_LARGE or SHEET_TOO_SLOW for the file as
    a whole."""
    if sniff(data, filename) == "xlsx":
        check_xlsx(data, limits)
    source = open_records(data, filename)
    records = enumerate(source.records, start=1)
    for number, values in records:
        if not blank(values):
            headers, index = _header(values, layout)
            rows = list(_rows(records, number + limits.max_rows, limits))
            if not rows:
                raise SheetEmpty()
            return Sheet(source.file_type, source.encoding, headers, index, rows)
    raise SheetEmpty()


def _rows(records: Iterator[tuple[int, Sequence[Cell]]], last: int,
          limits: Limits) -> Iterator[tuple[int, Sequence[Cell]]]:
    for number, values in records:
        if number > last:
            raise SheetTooLarge(max_rows=limits.max_rows)
        if number % CLOCK_EVERY == 0 and time.monotonic() > limits.deadline:
            raise SheetTooSlow(seconds=limits.seconds)
        if not blank(values):
            yield number, values


def blank(values: Sequence[Cell]) -> bool:
    try:
        return not "".join(values).strip()  # type: ignore[arg-type]  # CSV: all str, fast
    except TypeError:
        return not any(filled(value) for value in values)


def filled(value: Cell) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _header(values: Sequence[Cell], layout: Layout) -> tuple[dict[str, str], dict[str, int]]:
    lookup = _lookup(layout.columns)
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for position, value in enumerate(values):
        name = lookup.get(header_key(str(value))) if filled(value) else None
        if name is None:
            continue  # other columns (remarks...) are ignored
        if name in index:
            raise SheetHeaderInvalid(code="SHEET_COLUMN_TWICE", column=name)
        index[name], headers[name] = position, str(value).strip()
    missing = [" or ".join(group) for group in layout.required
               if not any(name in index for name in group)]
    unpaired = [pair for pair in layout.together if (pair[0] in index) != (pair[1] in index)]
    if missing or unpaired:
        absent = list(missing) + [b if a in index else a for a, b in unpaired]
        raise SheetHeaderInvalid(missing=absent, expected=", ".join(
            f"{column.name} ({column.zh})" for column in layout.columns))
    return headers, index


def _lookup(columns: Iterable[Column]) -> dict[str, str]:
    return {header_key(alias): column.name for column in columns
            for alias in (column.name, column.zh, *column.aliases)}
