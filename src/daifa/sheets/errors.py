"""Whole-file problems: the file cannot be read, is empty, lacks columns or is too big."""

from __future__ import annotations

from daifa.errors import DaifaError, ValidationFailed


class UnreadableFile(ValidationFailed):
    code = "UNREADABLE_FILE"
    title = "The file could not be read as CSV, XLSX or XLS"


class SheetEmpty(ValidationFailed):
    code = "SHEET_EMPTY"
    title = "The file has no rows to import"


class SheetHeaderInvalid(ValidationFailed):
    code = "SHEET_HEADER_INVALID"
    title = "The first row must name the columns"


class SheetTooLarge(ValidationFailed):
    code = "SHEET_TOO_LARGE"
    title = "Too many rows in one file"


class FileTooLarge(DaifaError):
    code = "FILE_TOO_LARGE"
    status = 413
    title = "The file is too large"


class SheetTooWide(ValidationFailed):
    code = "SHEET_TOO_WIDE"
    title = "Too many columns in one sheet"


class SheetTooSlow(ValidationFailed):
    code = "SHEET_TOO_SLOW"
    title = "The file took too long to read"


class SheetUnpacksTooLarge(DaifaError):
    code = "SHEET_UNPACKS_TOO_LARGE"
    status = 413
    title = "The workbook unpacks to too much data"
