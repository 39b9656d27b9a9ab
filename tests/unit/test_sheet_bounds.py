"""Workbooks that would make the reader build a huge grid are refused before it sees them:
the checks run on the zip's parts and the worksheet's references, in a fraction of a second."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from daifa.sheets.bounds import MAX_COLUMNS, Limits
from daifa.sheets.errors import (
    SheetTooLarge,
    SheetTooSlow,
    SheetTooWide,
    SheetUnpacksTooLarge,
    UnreadableFile,
)
from daifa.sheets.table import Column, Layout, read_sheet
from daifa.sheets.write import xlsx_bytes

LAYOUT = Layout(columns=(Column("order_no", "order_no", "订单号", is_id=True),
                         Column("quantity", "quantity", "数量")),
                required=(("order_no",),))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>订单号</t></is></c></row>'


def limits(max_rows: int = 100, max_unpacked: int = 64 * 1024 * 1024,
           seconds: float = 60) -> Limits:
    return Limits(max_rows=max_rows, max_unpacked=max_unpacked,
                  deadline=time.monotonic() + seconds, seconds=int(seconds))


def workbook(rows_xml: str) -> bytes:
    """A minimal XLSX whose first sheet holds exactly `rows_xml`."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>'),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_cell_at_the_far_corner_is_refused_before_the_reader_builds_its_grid() -> None:
    # Read as it is, this 1.5 KB file makes the reader ask for 512 GiB and abort the process.
    data = workbook(HEADER + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert len(data) < 2000
    with pytest.raises(SheetTooLarge):
        read_sheet(data, "bomb.xlsx", LAYOUT, limits(max_rows=200_000))


def test_a_far_column_within_the_row_limit_is_too_wide() -> None:
    data = workbook(HEADER + '<row r="2"><c r="XFD2"><v>1</v></c></row>')
    with pytest.raises(SheetTooWide) as refused:
        read_sheet(data, "wide.xlsx", LAYOUT, limits())
    assert refused.value.params == {"max_columns": MAX_COLUMNS}


def test_blank_rows_without_references_count_towards_the_row_limit() -> None:
    blank = '<row><c t="inlineStr"><is><t> </t></is></c></row>'
    data = workbook(HEADER + blank * 150_000)
    assert len(data) < 200_000  # they pack to almost nothing
    started = time.monotonic()
    with pytest.raises((SheetTooLarge, SheetUnpacksTooLarge)):
        read_sheet(data, "blank.xlsx", LAYOUT, limits(max_rows=100_000))
    assert time.monotonic() - started < 5  # measured in the figures, not timed: a loose bound


def test_blank_rows_with_references_count_too() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t> </t></is></c></row>'
                   for n in range(2, 200))
    with pytest.raises(SheetTooLarge) as refused:
        read_sheet(workbook(HEADER + rows), "blank.xlsx", LAYOUT, limits(max_rows=100))
    assert refused.value.params == {"max_rows": 100}


def test_cells_without_references_widen_their_row() -> None:
    row = "<row>" + "<c><v>1</v></c>" * (MAX_COLUMNS + 1) + "</row>"
    with pytest.raises(SheetTooWide):
        read_sheet(workbook(HEADER + row), "wide.xlsx", LAYOUT, limits())


def test_a_part_that_unpacks_past_the_cap_is_refused_with_413() -> None:
    filler = "<row><c><v>1</v></c></row>" * 60_000  # 1.5 MB of XML, packed ~ 1,000 to 1
    with pytest.raises(SheetUnpacksTooLarge) as refused:
        read_sheet(workbook(HEADER + filler), "packed.xlsx", LAYOUT, limits(max_rows=100_000))
    assert refused.value.status == 413
    small = workbook(HEADER + "<row><c><v>1</v></c></row>" * 10)
    with pytest.raises(SheetUnpacksTooLarge):
        read_sheet(small, "a.xlsx", LAYOUT, limits(max_unpacked=1000))


def test_a_spent_time_budget_stops_reading() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>DO{n}</t></is></c></row>'
                   for n in range(2, 50))
    with pytest.raises(SheetTooSlow) as refused:
        read_sheet(workbook(HEADER + rows), "slow.xlsx", LAYOUT, limits(seconds=-1))
    assert refused.value.params == {"seconds": -1}


def test_a_real_workbook_passes_and_reads_as_before() -> None:
    data = xlsx_bytes([["订单号", "数量"], *[[f"37214567890123{n:05d}", n] for n in range(500)]])
    sheet = read_sheet(data, "orders.xlsx", LAYOUT, limits(max_rows=500))
    assert len(sheet.rows) == 500 and sheet.rows[0][0] == 2


def test_a_broken_zip_is_unreadable() -> None:
    with pytest.raises(UnreadableFile):
        read_sheet(b"PK\x03\x04" + b"\x00" * 100, "broken.xlsx", LAYOUT, limits())
