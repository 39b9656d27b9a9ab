"""Bytes to rows of cells: format sniffing, text encodings, CSV, XLSX and XLS.

CSV (or tab-separated text): UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"),
or GB18030 (what Chinese Excel writes). Workbooks (.xlsx, .xlsm, legacy .xls) through calamine:
the first sheet, cached values of formulas, padded from A1 so row numbers are the sheet's own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Literal

from daifa.sheets.errors import FileTooLarge, SheetEmpty, UnreadableFile

Cell = object  # str from CSV; str, float, bool, date, datetime or time from a workbook
FileType = Literal["csv", "xlsx", "xls"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # a Compound File: .xls, .et
ZIP_MAGIC = b"PK\x03\x04"
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
XLS_SUFFIXES = (".xls", ".et")


@dataclass(frozen=True)
class Records:
    file_type: FileType
    encoding: str | None  # for CSV
    records: Iterator[Sequence[Cell]]


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """An upload's bytes, refusing more than `limit` without reading all of it."""
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise FileTooLarge(limit_mb=limit // (1024 * 1024))
    return content


def open_records(data: bytes, filename: str | None = None) -> Records:
    file_type = sniff(data, filename)
    if file_type == "csv":
        text, encoding = decode_text(data)
        return Records("csv", encoding, csv_records(text))
    return Records(file_type, None, workbook_records(data, file_type))


def sniff(data: bytes, filename: str | None) -> FileType:
    """Which reader a file needs, from its first bytes and its name."""
    suffix = ""
    if filename and "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise SheetEmpty()
    if data.startswith(OLE_MAGIC):
        return "xls"
    if suffix in XLS_SUFFIXES:
        raise UnreadableFile(filename=filename, read_as="xls")
    if data.startswith(ZIP_MAGIC):
        if suffix and suffix not in XLSX_SUFFIXES:
            raise UnreadableFile(filename=filename, read_as="xlsx")
        return "xlsx"
    if suffix and suffix not in TEXT_SUFFIXES:
        raise UnreadableFile(filename=filename)
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM decides; else strict UTF-8; else GB18030 (Chinese Excel's CSV)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, encoding
    raise UnreadableFile(read_as="csv")


def csv_records(text: str) -> Iterator[Sequence[Cell]]:
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit()
        raise UnreadableFile(read_as="csv") from exc


def workbook_records(data: bytes, file_type: FileType) -> Iterator[Sequence[Cell]]:
    """The first sheet's rows from A1 on; empty cells come through as ''."""
    from python_calamine import CalamineWorkbook  # imported here: only uploads need it

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own, zip and parse errors alike
        raise UnreadableFile(read_as=file_type) from exc
    return iter(rows)
