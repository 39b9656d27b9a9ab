"""Read a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX upload into rows keyed by column.

Generic over the columns: the caller passes canonical names with their accepted headers
(English and Chinese). Long digit strings stay strings; Excel numbers become plain text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from daifa.catalog.errors import MissingColumns, UnreadableFile

MAX_ROWS = 50_000
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Table:
    """Data rows as (row number in the file, {column: text}); the header is row 1."""

    columns: frozenset[str]
    rows: list[tuple[int, dict[str, str]]]


def header_key(raw: str) -> str:
    """Headers compared without case, spaces or full-width punctuation differences."""
    text = raw.strip().lower().replace("\ufeff", "")
    for wide, narrow in (("（", "("), ("）", ")"), (" ", ""), ("　", ""), ("_", "")):
        text = text.replace(wide, narrow)
    return text


def read_table(content: bytes, aliases: Mapping[str, Sequence[str]],
               required: Iterable[Sequence[str]] = ()) -> Table:
    """Rows of the first sheet; `required` lists column groups of which one must be present."""
    records = _records(content)
    header = next(records, None)
    if header is None:
        raise UnreadableFile("the file is empty")
    lookup = {header_key(alias): name for name, names in aliases.items()
              for alias in (name, *names)}
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        name = lookup.get(header_key(title))
        if name is not None and name not in positions:
            positions[name] = index
    missing = [" or ".join(group) for group in required
               if not any(name in positions for name in group)]
    if missing:
        raise MissingColumns(f"missing columns: {', '.join(missing)}; found "
                             f"{', '.join(h for h in header if h) or 'no header'}",
                             missing=missing)
    return Table(frozenset(positions), list(_rows(records, positions)))


def _rows(records: Iterator[list[str]],
          positions: Mapping[str, int]) -> Iterator[tuple[int, dict[str, str]]]:
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if number > MAX_ROWS + 1:
            raise UnreadableFile(f"at most {MAX_ROWS} rows per file; split the file")
        yield number, {name: record[i].strip() if i < len(record) else ""
                       for name, i in positions.items()}


def _records(content: bytes) -> Iterator[list[str]]:
    if content.startswith(XLSX_MAGIC):
        return _xlsx_records(content)
    if content.startswith(XLS_MAGIC):
        raise UnreadableFile("old .xls files are not supported; save as .xlsx or as "
                             "CSV UTF-8 and upload again")
    return _csv_records(_decode(content))


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("the file is neither UTF-8 nor GB18030 text, nor an .xlsx workbook")


def _csv_records(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableFile(f"not a readable CSV file: {exc}") from exc


def _xlsx_records(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(f"not a readable .xlsx workbook: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in values]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """An Excel cell as the text a person sees: 1200.0 → '1200', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()
