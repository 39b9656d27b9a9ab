from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest

from daifa.sheets.errors import SheetEmpty, SheetHeaderInvalid, SheetTooLarge, UnreadableFile
from daifa.shipping.sheets import ParsedSheet, ShipmentRow, parse_shipments
from daifa.shipping.upload import SHIPMENTS

template_csv, template_xlsx = SHIPMENTS.template_csv, SHIPMENTS.template_xlsx

EN = "dispatch_order_no,carrier,tracking_no,sku_code,quantity"
ZH = "代发单号,快递公司,快递单号,SKU编码,数量"
GOOD = [
    "DO1001,SF,SF1234567890123,,",
    "DO1002,顺丰,123456789012,,",
    "DO1003,中通快递,73123456789012,TSHIRT-L,2",
    "DO1003,ZTO,73123456789013,TSHIRT-M,1",
]


def csv_bytes(lines: Sequence[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def errors_of(sheet: ParsedSheet) -> list[tuple[int, str | None, str]]:
    return [(row.row, error.column, error.code) for row in sheet.rows for error in row.errors]


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """An .xlsx of these rows. openpyxl writes big ints as floats, so a cell given as
    ``"#INT:<digits>"`` is written back as an exact integer, the way other exporters store it."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    patched = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb't="inlineStr"><is><t>#INT:(\d+)</t></is>', rb't="n"><v>\1</v>',
                                 content)
            target.writestr(item, content)
    return patched.getvalue()


EXPECTED_GOOD = [
    ShipmentRow(2, "DO1001", "SF", "SF1234567890123", None, None),
    ShipmentRow(3, "DO1002", "SF", "123456789012", None, None),
    ShipmentRow(4, "DO1003", "ZTO", "73123456789012", "TSHIRT-L", 2),
    ShipmentRow(5, "DO1003", "ZTO", "73123456789013", "TSHIRT-M", 1),
]


@pytest.mark.parametrize(("header", "encoding", "detected"), [
    (EN, "utf-8", "utf-8"),
    (ZH, "utf-8", "utf-8"),
    (ZH, "utf-8-sig", "utf-8-sig"),
    (ZH, "gb18030", "gb18030"),
    (ZH, "utf-16", "utf-16"),
])
def test_good_rows_in_every_encoding(header: str, encoding: str, detected: str) -> None:
    sheet = parse_shipments(csv_bytes([header, *GOOD], encoding), "发货.csv")
    assert sheet.rows == EXPECTED_GOOD
    assert (sheet.file_type, sheet.encoding, sheet.has_lines) == ("csv", detected, True)
    assert sheet.headers["carrier"] == header.split(",")[1]


def test_gb18030_file_is_not_mistaken_for_utf8() -> None:
    data = csv_bytes([ZH, "DO1,韵达,312345678901234,,"], "gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    sheet = parse_shipments(data)
    assert (sheet.encoding, sheet.rows[0].carrier_code) == ("gb18030", "YUNDA")


def test_tab_separated_text_from_excel_unicode_export() -> None:
    lines = [ZH.replace(",", "\t"), "DO1\t极兔\tJT1234567890123\t\t"]
    sheet = parse_shipments(csv_bytes(lines, "utf-16"), "export.txt")
    assert sheet.rows == [ShipmentRow(2, "DO1", "JTSD", "JT1234567890123", None, None)]


def test_order_no_header_and_other_aliases_and_extra_columns() -> None:
    lines = ["收件人, 订单号 ,备注,物流公司,运单号*", "张三,DO7,易碎,京东,JDAB12345678901"]
    sheet = parse_shipments(csv_bytes(lines))
    assert sheet.rows == [ShipmentRow(2, "DO7", "JD", "JDAB12345678901", None, None)]
    assert not sheet.has_lines
    assert sheet.headers == {"dispatch_order_no": "订单号", "carrier": "物流公司",
                             "tracking_no": "运单号*"}


def test_without_line_columns_rows_ship_everything_left() -> None:
    sheet = parse_shipments(csv_bytes(["dispatch_order_no,carrier,tracking_no",
                                       "DO1,sto,771234567890123"]))
    assert sheet.rows == [ShipmentRow(2, "DO1", "STO", "771234567890123", None, None)]


def test_blank_rows_are_skipped_and_row_numbers_stay_the_spreadsheets() -> None:
    lines = ["", ZH, "DO1,SF,SF1234567890123,,", ",,,,", "   ,  ,,,", "DO2,SF,SF1234567890124,,"]
    sheet = parse_shipments(csv_bytes(lines))
    assert [row.row for row in sheet.rows] == [3, 6]


def test_shape_mismatch_is_a_warning_not_an_error() -> None:
    sheet = parse_shipments(csv_bytes([ZH, "DO1,中通,SF1234567890123,,"]))
    (row,) = sheet.rows
    assert row.ok and row.tracking_no == "SF1234567890123"
    assert len(row.warnings) == 1 and "ZTO" in row.warnings[0]


def test_tracking_numbers_are_normalised() -> None:
    sheet = parse_shipments(csv_bytes([ZH, "DO1,SF, sf 1234 5678 90123 ,,"]))
    assert sheet.rows[0].tracking_no == "SF1234567890123"


BAD = [
    ZH,
    "DO1,SF,SF1234567890123,,",  # 2: fine
    ",SF,SF1234567890124,,",  # 3: no dispatch order no.
    "DO 3,SF,SF1234567890125,,",  # 4: bad dispatch order no.
    "DO4,DHL,SF1234567890126,,",  # 5: unknown carrier
    "DO5,SF,SF12/34,,",  # 6: bad tracking no.
    "DO6,SF,,,",  # 7: no tracking no.
    "DO7,,SF1234567890127,,",  # 8: no carrier
    "DO8,SF,SF1234567890128,SKU1,",  # 9: SKU without quantity
    "DO9,SF,SF1234567890129,,3",  # 10: quantity without SKU
    "DO10,SF,SF1234567890130,SKU1,0",  # 11: quantity 0
    "DO11,SF,SF1234567890131,SKU1,-2",  # 12: negative
    "DO12,SF,SF1234567890132,SKU1,1.5",  # 13: fraction
    "DO13,SF,SF1234567890133,SKU1,两个",  # 14: not a number
    "1.23457E+18,SF,SF1234567890134,,",  # 15: Excel turned the ID into a float
    "DO15,SF,7.31234E+13,,",  # 16: ...and the tracking number
    "DO16,DHL,12,,",  # 17: two errors in one row
    "DO17,SF,SF1234567890135," + "X" * 65 + ",1",  # 18: SKU code too long
    "DO18,SF,SF1234567890136,SKU1,1000001",  # 19: quantity too large
    "DO19,SF,SF1234567890137,SKU1,２",  # 20: full-width digit is fine
]


def test_bad_rows_report_row_column_and_reason() -> None:
    sheet = parse_shipments(csv_bytes(BAD))
    assert errors_of(sheet) == [
        (3, "dispatch_order_no", "MISSING_VALUE"),
        (4, "dispatch_order_no", "INVALID_DISPATCH_ORDER_NO"),
        (5, "carrier", "UNKNOWN_CARRIER"),
        (6, "tracking_no", "INVALID_TRACKING_NO"),
        (7, "tracking_no", "MISSING_VALUE"),
        (8, "carrier", "MISSING_VALUE"),
        (9, "quantity", "MISSING_VALUE"),
        (10, "sku_code", "MISSING_VALUE"),
        (11, "quantity", "INVALID_QUANTITY"),
        (12, "quantity", "INVALID_QUANTITY"),
        (13, "quantity", "INVALID_QUANTITY"),
        (14, "quantity", "INVALID_QUANTITY"),
        (15, "dispatch_order_no", "ID_NOT_TEXT"),
        (16, "tracking_no", "ID_NOT_TEXT"),
        (17, "carrier", "UNKNOWN_CARRIER"),
        (17, "tracking_no", "INVALID_TRACKING_NO"),
        (18, "sku_code", "INVALID_SKU_CODE"),
        (19, "quantity", "INVALID_QUANTITY"),
    ]
    rows = {row.row: row for row in sheet.rows}
    assert rows[2].ok and rows[20].ok and rows[20].quantity == 2
    assert "DHL" in rows[5].errors[0].reason and "SF (顺丰)" in rows[5].errors[0].reason
    assert "text" in rows[15].errors[0].reason
    assert rows[9].sku_code == "SKU1" and rows[9].quantity is None


def test_duplicate_rows_are_flagged_after_the_first() -> None:
    lines = [ZH, "DO1,SF,SF1234567890123,A,1", "DO1,顺丰,sf1234567890123,A,1",
             "DO1,SF,SF1234567890123,B,1", "DO2,SF,SF1234567890123,,",
             "DO1,SF,SF1234567890123,A,2"]
    sheet = parse_shipments(csv_bytes(lines))
    assert errors_of(sheet) == [(3, None, "DUPLICATE_ROW"),
                                (5, "tracking_no", "TRACKING_NO_REUSED"),
                                (6, None, "DUPLICATE_ROW")]
    (error,) = sheet.rows[1].errors
    assert (error.row, error.column, error.code, error.reason, error.params) == (
        3, None, "DUPLICATE_ROW", "Repeats row 2", {"row": 2})
    assert "DO1" in sheet.rows[3].errors[0].reason and "Row 2" in sheet.rows[3].errors[0].reason
    assert sheet.rows[2].ok  # another SKU in the same parcel


def test_same_tracking_number_with_another_carrier_is_not_a_duplicate() -> None:
    sheet = parse_shipments(csv_bytes([ZH, "DO1,SF,1234567890123,,", "DO2,EMS,1234567890123,,"]))
    assert errors_of(sheet) == []


def test_xlsx_with_text_and_numeric_cells() -> None:
    rows: list[list[object]] = [
        ["代发单号", "快递公司", "快递单号", "SKU编码", "数量"],
        ["DO1", "顺丰", "SF1234567890123", "A", 1],
        ["DO2", "中通", 73123456789012, 6901234567890, 2.0],  # exact ints under 16 digits
        [1.23456789012346e18, "SF", "SF1234567890124", None, None],  # Excel's rounded float
        ["DO4", "SF", 7.3123456789012e13, None, None],  # integral float under 15 digits
        ["DO5", "SF", "SF1234567890125", "B", 1.5],
        [],
        ["DO7", True, "SF1234567890126", None, None],
    ]
    data = xlsx_bytes(rows)
    sheet = parse_shipments(data, "发货.xlsx")
    assert (sheet.file_type, sheet.encoding) == ("xlsx", None)
    assert [r for r in sheet.rows if r.ok] == [
        ShipmentRow(2, "DO1", "SF", "SF1234567890123", "A", 1),
        ShipmentRow(3, "DO2", "ZTO", "73123456789012", "6901234567890", 2),
        ShipmentRow(5, "DO4", "SF", "73123456789012", None, None,
                    warnings=sheet.rows[3].warnings),
    ]
    assert errors_of(sheet) == [(4, "dispatch_order_no", "ID_NOT_TEXT"),
                                (6, "quantity", "INVALID_QUANTITY"),
                                (8, "carrier", "UNKNOWN_CARRIER")]
    assert "store the ID as text" in sheet.rows[2].errors[0].reason


def test_xlsx_reads_the_first_sheet_and_ignores_its_recorded_size() -> None:
    book = openpyxl.Workbook()
    book.active.append(["dispatch_order_no", "carrier", "tracking_no"])
    book.active.cell(row=40, column=1, value="DO40")
    book.active.cell(row=40, column=2, value="EMS")
    book.active.cell(row=40, column=3, value="1234567890123")
    book.create_sheet("other").append(["nothing", "here"])
    out = io.BytesIO()
    book.save(out)
    sheet = parse_shipments(out.getvalue())
    assert sheet.rows == [ShipmentRow(40, "DO40", "EMS", "1234567890123", None, None)]


@pytest.mark.parametrize(("data", "filename"), [
    (b"", "x.csv"),
    (b"\xef\xbb\xbf\r\n  \r\n", "x.csv"),
    (xlsx_bytes([]), "x.xlsx"),
    (b",,,\r\n,,\r\n", None),
])
def test_empty_files_are_refused(data: bytes, filename: str | None) -> None:
    with pytest.raises(SheetEmpty) as caught:
        parse_shipments(data, filename)
    assert (caught.value.code, caught.value.status) == ("SHEET_EMPTY", 422)


@pytest.mark.parametrize("data", [csv_bytes([ZH]), csv_bytes([ZH, ",,,,"]), template_csv(),
                                  template_xlsx()])
def test_a_header_without_rows_is_empty(data: bytes) -> None:
    with pytest.raises(SheetEmpty, match="no rows"):
        parse_shipments(data)


@pytest.mark.parametrize(("header", "missing"), [
    ("DO1,SF,SF1234567890123", ["dispatch_order_no", "carrier", "tracking_no"]),
    ("代发单号,快递单号", ["carrier"]),
    ("dispatch_order_no,carrier_name,tracking", ["carrier", "tracking_no"]),
    ("代发单号,快递公司,快递单号,SKU编码", ["quantity"]),  # SKU and quantity go together
    ("代发单号,快递公司,快递单号,数量", ["sku_code"]),
])
def test_a_missing_header_is_a_clear_error(header: str, missing: list[str]) -> None:
    with pytest.raises(SheetHeaderInvalid) as caught:
        parse_shipments(csv_bytes([header, "DO1,SF,SF1234567890123,A,1"]))
    error = caught.value
    assert (error.code, error.status) == ("SHEET_HEADER_INVALID", 422)
    assert error.params["missing"] == missing
    assert "代发单号" in error.detail and "快递公司" in error.detail


def test_a_column_named_twice_is_refused() -> None:
    with pytest.raises(SheetHeaderInvalid, match="twice") as caught:
        parse_shipments(csv_bytes(["代发单号,订单号,快递公司,快递单号", "DO1,DO1,SF,SF1234567890"]))
    assert (caught.value.code, caught.value.status) == ("SHEET_COLUMN_TWICE", 422)
    assert caught.value.params == {"column": "dispatch_order_no"}


@pytest.mark.parametrize(("data", "filename", "hint"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", ".xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, None, ".xls"),
    (csv_bytes([ZH, *GOOD]), "renamed.xls", ".xls"),
    (b"%PDF-1.4 ...", "invoice.pdf", ".csv"),
    (b"PK\x03\x04 not really a zip", "x.xlsx", ".xlsx"),
    (xlsx_bytes([["a"]]), "x.numbers", ".xlsx"),
    (b"\x80\xff\xfe\x00\x81\xff" * 20, None, "UTF-8"),
    (b"a,b\x00c\r\n", "x.csv", "UTF-8"),
])
def test_unsupported_files_are_refused_with_advice(data: bytes, filename: str | None,
                                                   hint: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        parse_shipments(data, filename)
    assert (caught.value.code, caught.value.status) == ("UNREADABLE_FILE", 422)
    assert hint in caught.value.detail and ".xlsx" in caught.value.detail


def test_too_many_rows_are_refused() -> None:
    lines = [ZH] + [f"DO{i},SF,SF{i:013d},," for i in range(11)]
    assert len(parse_shipments(csv_bytes(lines), max_rows=11).rows) == 11
    with pytest.raises(SheetTooLarge) as caught:
        parse_shipments(csv_bytes(lines), max_rows=10)
    assert caught.value.code == "SHEET_TOO_LARGE"


def test_csv_template_is_utf8_with_bom_and_chinese_headers() -> None:
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == ZH + "\r\n"
    assert template_csv("en").decode("utf-8-sig") == EN + "\r\n"
    filled = data + "DO1,圆通,YT1234567890123,,\r\n".encode()
    assert parse_shipments(filled).rows == [
        ShipmentRow(2, "DO1", "YTO", "YT1234567890123", None, None)]


def test_xlsx_template_has_text_id_columns_a_carrier_list_and_help() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ZH.split(",")
    for column in "ACD":
        assert sheet[f"{column}2"].number_format == "@"
        assert sheet.column_dimensions[column].number_format == "@"
    assert sheet["E2"].number_format == "General"
    (validation,) = sheet.data_validations.dataValidation
    assert "顺丰" in validation.formula1 and "B2" in str(validation.sqref)
    assert "说明" in book.sheetnames
    sheet["A2"] = "1234567890123456789"
    sheet["B2"] = "顺丰"
    sheet["C2"] = "SF1234567890123"
    out = io.BytesIO()
    book.save(out)
    assert parse_shipments(out.getvalue(), "filled.xlsx").rows == [
        ShipmentRow(2, "1234567890123456789", "SF", "SF1234567890123", None, None)]


def test_english_xlsx_template_round_trips() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("en")))
    assert [cell.value for cell in book.worksheets[0][1]] == EN.split(",")


def test_one_hundred_thousand_gb18030_rows_all_parse() -> None:
    """Every row of a big file in Chinese Excel's encoding comes through (its speed is measured
    by bench/shipments.py, not here)."""
    names = ["SF", "顺丰", "中通快递", "ZTO", "圆通", "韵达", "JD", "极兔"]
    lines = [ZH] + [f"DO{1_000_000 + i},{names[i % 8]},{73_000_000_000_000 + i * 7},SKU{i % 50},"
                    f"{1 + i % 3}" for i in range(100_000)]
    sheet = parse_shipments(csv_bytes(lines, "gb18030"), "big.csv")
    assert len(sheet.rows) == 100_000 and all(row.ok for row in sheet.rows)
    assert sheet.rows[-1].dispatch_order_no == "DO1099999"


def test_an_exact_integer_of_more_than_fifteen_digits_is_refused_like_a_rounded_one() -> None:
    """Excel keeps 15 digits: a 19-digit number cell is not an ID to trust, even when the file
    holds it exactly (the next save in Excel rounds it)."""
    data = xlsx_bytes([["代发单号", "快递公司", "快递单号"],
                       ["#INT:1234567890123456789", "中通", "73123456789012"]])
    assert b"<v>1234567890123456789</v>" in zipfile.ZipFile(io.BytesIO(data)).read(
        "xl/worksheets/sheet1.xml")
    assert errors_of(parse_shipments(data, "发货.xlsx")) == [(2, "dispatch_order_no",
                                                             "ID_NOT_TEXT")]
