"""Shipping files as bytes → rows of cells: format sniffing, text encodings, CSV and XLSX.

CSV: UTF-8, UTF-8 with BOM, UTF-16 with BOM, or GB18030 (what Chinese Excel writes), comma- or
tab-separated. XLSX: the first sheet, cached values of formulas. Legacy .xls (and WPS .et) is
refused with ``UNSUPPORTED_FILE``: openpyxl cannot read it, and asking for .xlsx or .csv is
clearer than guessing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Literal

from daifa.shipping.errors import SheetEmpty, UnsupportedFile

Cell = object  # str from CSV; str, int, float, bool, datetime or None from XLSX
FileType = Literal["csv", "xlsx"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_SAVE_AS = "save it in Excel or WPS as .xlsx or as CSV (UTF-8) and upload again"


def sniff(data: bytes, filename: str | None) -> FileType:
    """Which reader a file needs, from its first bytes and its name."""
    suffix = ""
    if filename and "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise SheetEmpty("The file is empty")
    if data.startswith(_OLE_MAGIC) or suffix in (".xls", ".et"):
        raise UnsupportedFile(f"Old Excel .xls files cannot be read: {_SAVE_AS}")
    if data.startswith(b"PK\x03\x04"):
        if suffix and suffix not in _XLSX_SUFFIXES:
            raise UnsupportedFile(f"{filename} is not a spreadsheet this can read: {_SAVE_AS}")
        return "xlsx"
    if suffix and suffix not in _TEXT_SUFFIXES:
        raise UnsupportedFile(f"{filename} is not a .csv or .xlsx file: {_SAVE_AS}")
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
    raise UnsupportedFile(f"The file is neither UTF-8 nor GB18030 text: {_SAVE_AS}")


def csv_records(text: str) -> Iterator[Sequence[Cell]]:
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:  # e.g. a field over csv.field_size_limit()
        raise UnsupportedFile(f"The file is not a readable CSV file ({exc}): {_SAVE_AS}") from exc


def xlsx_records(data: bytes) -> Iterator[Sequence[Cell]]:
    """The first sheet's rows as cell values; empty rows come through as empty tuples."""
    import openpyxl  # imported here: only uploads need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnsupportedFile(f"The file is not a readable .xlsx workbook: {_SAVE_AS}") from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # do not trust the file's own idea of its size
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


