"""What a workbook may unpack to, checked before the reader sees it.

The reader (calamine) builds each sheet as one dense grid from A1 to the last cell any
element names. A 1.5 KB file naming cell XFD1048576 asks it for half a terabyte, and the
process aborts; a few hundred KB of identical blank rows unpack to a million rows. So an XLSX
is checked first, with Python's zip reader (which stops at each part's declared size and
checks its CRC, so what is checked is what the reader will see): the parts' total unpacked
size and compression ratio, then the worksheets' extent — every row counts, blank or not —
and their width, from the cell and row references in the XML.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass

from daifa.sheets.errors import (
    SheetTooLarge,
    SheetTooSlow,
    SheetTooWide,
    SheetUnpacksTooLarge,
    UnreadableFile,
)

MAX_RATIO = 100  # a real sheet's XML packs 5-20 to 1; a bomb's packs hundreds to 1
RATIO_FROM = 1024 * 1024  # small parts (styles, a tiny sheet) may pack better and do no harm
MAX_COLUMNS = 256  # far beyond any import's columns; the grid is rows x columns cells
CHUNK = 4 * 1024 * 1024
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\b[^>]*?\sr=\"([A-Z]{1,3})(\d{1,7})\"")
_ROW_NUMBER = re.compile(rb"<(?:[\w.-]+:)?row\b[^>]*?\sr=\"(\d{1,7})\"")
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    max_rows: int  # rows under the header, blank ones included
    max_unpacked: int  # bytes, all parts together
    deadline: float  # time.monotonic() by which reading must be done
    seconds: int  # the budget, for the message


@dataclass
class _Extent:
    rows: int = 0  # the highest row any element names, or the number of rows if more
    columns: int = 0
    row_elements: int = 0
    loose: int = 0  # the most cells in one row when some name no position (they follow on)


def check_xlsx(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose parts or sheets are too big to read (413 or 422)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(read_as="xlsx") from exc
    _check_sizes(parts, limits)
    for part in parts:
        if _WORKSHEET.match(part.filename):
            _check_extent(_extent(archive, part, limits), limits)


def _check_sizes(parts: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(part.file_size for part in parts)
    packed_too_well = any(part.file_size >= RATIO_FROM
                          and part.file_size > MAX_RATIO * max(part.compress_size, 1)
                          for part in parts)
    if total > limits.max_unpacked or packed_too_well:
        raise SheetUnpacksTooLarge(limit_mb=limits.max_unpacked // (1024 * 1024),
                                   ratio=MAX_RATIO)


def _extent(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: Limits) -> _Extent:
    extent = _Extent()
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(CHUNK):
                text = tail + chunk
                cut = text.rfind(b"<")  # an element may straddle two chunks
                _measure(text[:cut] if cut > 0 else text, extent)
                _check_extent(extent, limits)  # stop at the first chunk that goes too far
                tail = text[cut:] if cut > 0 else b""
                if time.monotonic() > limits.deadline:
                    raise SheetTooSlow(seconds=limits.seconds)
        _measure(tail, extent)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UnreadableFile(read_as="xlsx") from exc
    return extent


def _measure(text: bytes, extent: _Extent) -> None:
    refs = _CELL.findall(text)
    if refs:
        extent.rows = max(extent.rows, max(int(row) for _, row in refs))
        extent.columns = max(extent.columns, max(_column(letters) for letters in
                                                 {letters for letters, _ in refs}))
    numbers = _ROW_NUMBER.findall(text)
    if numbers:
        extent.rows = max(extent.rows, max(map(int, numbers)))
    extent.row_elements += len(_ROW.findall(text))
    if len(_ANY_CELL.findall(text)) > len(refs):
        extent.loose = max(extent.loose, *(len(_ANY_CELL.findall(row))
                                           for row in _ROW.split(text)))


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_extent(extent: _Extent, limits: Limits) -> None:
    if max(extent.rows, extent.row_elements) > limits.max_rows + 1:  # the header is a row too
        raise SheetTooLarge(max_rows=limits.max_rows)
    if extent.columns + extent.loose > MAX_COLUMNS:
        raise SheetTooWide(max_columns=MAX_COLUMNS)
