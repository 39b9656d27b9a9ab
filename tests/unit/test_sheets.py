"""The shared spreadsheet reader, cells and writer, on bytes alone."""

from __future__ import annotations

import io
import time
from datetime import date

import openpyxl
import pytest

from daifa.sheets import cells
from daifa.sheets.bounds import Limits
from daifa.sheets.errors import FileTooLarge, SheetEmpty, SheetHeaderInvalid, SheetTooLarge
from daifa.sheets.read import read_limited
from daifa.sheets.table import Column, Layout, read_sheet
from daifa.sheets.write import csv_bytes, xlsx_bytes

LAYOUT = Layout(columns=(Column("order_no", "order_no", "订单号", is_id=True),
                         Column("quantity", "quantity", "数量")),
                required=(("order_no",),))
ROWS = ["订单号,数量", "3721456789012345678,2", "0012,1"]


def limits(max_rows: int) -> Limits:
    return Limits(max_rows=max_rows, max_unpacked=64 * 1024 * 1024,
                  deadline=time.monotonic() + 60, seconds=60)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le",
                                      "utf-16-be"])
def test_every_text_encoding_reads_the_same_rows(encoding: str) -> None:
    text = "\r\n".join(ROWS) + "\r\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # Excel's "Unicode text" carries a BOM
        data = "\ufeff".encode(encoding) + data
    sheet = read_sheet(data, "o.csv", LAYOUT, limits(10))
    assert [(n, list(v)) for n, v in sheet.rows] == [
        (2, ["3721456789012345678", "2"]), (3, ["0012", "1"])]


@pytest.mark.parametrize("value", [1.2345678901234568e18, 10**15, 1234567890123456, 12.5,
                                   "1.23457E+18", "7.31234e+13", date(2026, 3, 1), True])
def test_ids_excel_may_have_rounded_are_refused(value: object) -> None:
    with pytest.raises(cells.CellError) as caught:
        cells.id_text(value)
    assert caught.value.code == "ID_NOT_TEXT"


@pytest.mark.parametrize(("value", "text"), [
    ("3721456789012345678", "3721456789012345678"), (" 0012 ", "0012"),
    (999_999_999_999_999.0, "999999999999999"), (6901234567890, "6901234567890"), ("", ""),
    (None, ""), ("SKU-E1", "SKU-E1")])
def test_ids_as_text_stay_exactly_as_written(value: object, text: str) -> None:
    assert cells.id_text(value) == text


def test_every_row_blank_or_not_counts_towards_the_limit() -> None:
    data = ("\r\n".join([*ROWS, ",", ",", "9,1"]) + "\r\n").encode()
    assert len(read_sheet(data, None, LAYOUT, limits(5)).rows) == 3
    with pytest.raises(SheetTooLarge):
        read_sheet(data, None, LAYOUT, limits(4))


def test_whole_file_problems() -> None:
    with pytest.raises(SheetEmpty):
        read_sheet(b"\xef\xbb\xbf\r\n", "a.csv", LAYOUT, limits(5))
    with pytest.raises(SheetEmpty, match="no rows"):
        read_sheet("订单号,数量\r\n,\r\n".encode(), "a.csv", LAYOUT, limits(5))
    with pytest.raises(SheetHeaderInvalid) as caught:
        read_sheet(b"a,b\r\n1,2\r\n", "a.csv", LAYOUT, limits(5))
    assert caught.value.params["missing"] == ["order_no"]
    with pytest.raises(FileTooLarge) as too_big:
        read_limited(io.BytesIO(b"x" * (2 * 1024 * 1024 + 1)), 2 * 1024 * 1024)
    assert (too_big.value.status, too_big.value.params["limit_mb"]) == (413, 2)


def test_workbooks_keep_the_sheets_row_numbers() -> None:
    book = openpyxl.Workbook()
    book.active.cell(row=3, column=1, value="订单号")
    book.active.cell(row=5, column=1, value="A-1")
    out = io.BytesIO()
    book.save(out)
    sheet = read_sheet(out.getvalue(), "o.xlsx", LAYOUT, limits(5))
    assert [(n, v[0]) for n, v in sheet.rows] == [(5, "A-1")]
    assert sheet.file_type == "xlsx"


def test_the_writer_keeps_long_numbers_as_text() -> None:
    data = xlsx_bytes([["order", "fen"], [3721456789012345678, 1990], ["0012", 5]],
                      text_columns={0})
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [("order", "fen"), ("3721456789012345678", 1990), ("0012", 5)]
    assert xlsx_bytes([[10**18]]) and csv_bytes([["订单号"], [3]]) == \
        "\ufeff订单号\r\n3\r\n".encode()
    again = read_sheet(data, "x.xlsx", Layout((Column("order", "order", "单"),), ()), limits(5))
    assert [cells.id_text(v[0]) for _, v in again.rows] == ["3721456789012345678", "0012"]
