"""Spreadsheet shipping: good rows ship, bad rows are reported, the same file twice ships
nothing twice; CSV in UTF-8, UTF-8 with BOM and GB18030, and XLSX."""

from __future__ import annotations

import io
from typing import Any

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.api.support import assert_problem, changed_settings, ok
from tests.fulfilment.helpers import Routed, act, routed, ship

HEADER = ["代发单号", "快递公司", "快递单号", "SKU编码", "数量"]


def csv_bytes(rows: list[list[Any]], encoding: str) -> bytes:
    text = "\r\n".join(",".join(str(cell) for cell in row) for row in [HEADER, *rows]) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: TestClient, r: Routed, content: bytes, name: str,
           dry_run: bool = False) -> httpx.Response:
    return client.post(f"/api/v1/suppliers/{r.first.supplier_id}/shipments:upload",
                       params={"dry_run": str(dry_run).lower()},
                       files={"file": (name, content, "application/octet-stream")},
                       headers=r.first.owner.headers)


def statuses(result: dict[str, Any]) -> list[tuple[int, str, list[tuple[str, str]]]]:
    return [(row["row"], row["status"],
             [(e["column"], e["code"]) for e in row.get("errors", [])])
            for row in result["rows"]]


def _scenario(client: TestClient) -> tuple[Routed, list[list[Any]], dict[str, str]]:
    """Three accepted dispatch orders, one waiting, one held, one of another supplier; rows
    for each, good and bad."""
    r = routed(client)
    one = r.accepted("U-1", ("TEE-RED", 2), ("MUG-1", 1))
    two = r.accepted("U-2")["dispatch_order_no"]
    three = r.accepted("U-3", ("TEE-BLUE", 3))["dispatch_order_no"]
    waiting = r.dispatch("U-4")["dispatch_order_no"]
    held = r.accepted("U-5")["dispatch_order_no"]
    ok(act(client, r.w, held, "hold", {"reason": "address_problem"}))
    other = routed(client)
    foreign = other.accepted("U-9")["dispatch_order_no"]
    first = one["dispatch_order_no"]
    x = r.first.code
    rows = [
        [first, "顺丰", "SF1000000000001", x("TEE-RED"), 2],  # 2: one parcel, two lines
        [first, "顺丰", "SF1000000000001", x("MUG-1"), 1],  # 3
        [two, "ZTO", "73000000000001", "", ""],  # 4: everything left
        [three, "中通快递", "73000000000002", "TEE-BLUE", 1],  # 5: the shop's SKU code works
        [three, "ZTO", "73000000000003", x("TEE-BLUE"), 5],  # 6: more than is left
        [waiting, "SF", "SF1000000000002", "", ""],  # 7: not accepted yet
        [held, "SF", "SF1000000000003", "", ""],  # 8: on hold
        [foreign, "SF", "SF1000000000004", "", ""],  # 9: another supplier's
        ["DO2611259999999901", "SF", "SF1000000000005", "", ""],  # 10: missing
        [two, "顺风快运", "SF1000000000006", "", ""],  # 11: unknown carrier
        [three, "YTO", "YT1000000000001", "NOPE", 1],  # 12: SKU not on it
    ]
    numbers = {"one": first, "two": two, "three": three, "waiting": waiting, "held": held,
               "foreign": foreign}
    return r, rows, numbers


EXPECTED = [
    (2, "shipped", []), (3, "shipped", []), (4, "shipped", []), (5, "shipped", []),
    (6, "error", [("quantity", "QUANTITY_EXCEEDS_REMAINING")]),
    (7, "error", [("dispatch_order_no", "INVALID_TRANSITION")]),
    (8, "error", [("dispatch_order_no", "DISPATCH_ORDER_ON_HOLD")]),
    (9, "error", [("dispatch_order_no", "DISPATCH_ORDER_NOT_FOUND")]),
    (10, "error", [("dispatch_order_no", "DISPATCH_ORDER_NOT_FOUND")]),
    (11, "error", [("carrier", "UNKNOWN_CARRIER")]),
    (12, "error", [("sku_code", "LINE_NOT_FOUND")]),
]


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gb18030", "xlsx"])
def test_good_rows_ship_bad_rows_are_reported_and_twice_ships_nothing_twice(
        client: TestClient, kind: str) -> None:
    r, rows, numbers = _scenario(client)
    content = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows, kind)
    name = "发货.xlsx" if kind == "xlsx" else "发货.csv"
    preview = ok(upload(client, r, content, name, dry_run=True))
    assert preview["dry_run"] is True
    assert statuses(preview) == [(n, "ready" if s == "shipped" else s, e)
                                 for n, s, e in EXPECTED]
    assert r.get(numbers["one"])["status"] == "accepted"
    result = ok(upload(client, r, content, name))
    assert statuses(result) == EXPECTED
    assert result["summary"] == {"rows": 11, "shipped": 4, "ready": 0, "already_shipped": 0,
                                 "error": 7, "dispatch_orders": 3}
    foreign_row = result["rows"][7]
    assert foreign_row["errors"][0]["reason"] == result["rows"][8]["errors"][0]["reason"]
    one = r.get(numbers["one"])
    assert one["status"] == "shipped"
    [parcel] = one["shipments"]
    assert (parcel["carrier"], parcel["tracking_no"], len(parcel["lines"])) == (
        "SF", "SF1000000000001", 2)
    assert r.get(numbers["two"])["status"] == "shipped"
    three = r.get(numbers["three"])
    assert (three["status"], three["lines"][0]["shipped_quantity"]) == ("partially_shipped", 1)
    assert r.shop_order(one["order_id"])["status"] == "shipped"
    again = ok(upload(client, r, content, name))
    assert statuses(again)[:4] == [(n, "already_shipped", []) for n in (2, 3, 4, 5)]
    assert again["summary"]["shipped"] == 0 and again["summary"]["dispatch_orders"] == 0
    assert r.get(numbers["three"])["lines"][0]["shipped_quantity"] == 1


def test_fixing_a_bad_row_and_uploading_again_ships_just_that_row(client: TestClient) -> None:
    r, rows, numbers = _scenario(client)
    ok(upload(client, r, csv_bytes(rows, "utf-8"), "a.csv"))
    rows[4][4] = 2  # row 6: the two TEE-BLUE left
    again = ok(upload(client, r, csv_bytes(rows, "utf-8"), "a.csv"))
    assert statuses(again)[:5] == [(2, "already_shipped", []), (3, "already_shipped", []),
                                   (4, "already_shipped", []), (5, "already_shipped", []),
                                   (6, "shipped", [])]
    assert r.get(numbers["three"])["status"] == "shipped"


def test_rows_after_everything_left_shipped_are_refused(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted("E-1", ("TEE-RED", 2))["dispatch_order_no"]
    rows = [[no, "SF", "SF2000000000001", "", ""], [no, "SF", "SF2000000000002", "", ""],
            [no, "SF", "SF2000000000001", "", ""]]
    result = ok(upload(client, r, csv_bytes(rows, "utf-8"), "e.csv"))
    assert statuses(result) == [
        (2, "shipped", []), (3, "error", [("dispatch_order_no", "NOTHING_LEFT_TO_SHIP")]),
        (4, "error", [(None, "DUPLICATE_ROW")])]


def test_a_parcel_of_another_dispatch_order_is_refused(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted("X-1")["dispatch_order_no"]
    other = r.accepted("X-2")["dispatch_order_no"]
    ok(ship(client, r.first, no, "SF", "SF3000000000001"))
    result = ok(upload(client, r, csv_bytes([[other, "SF", "sf3000000000001", "", ""]],
                                            "utf-8"), "x.csv"))
    assert statuses(result) == [(2, "error", [("tracking_no", "TRACKING_NO_IN_USE")])]


def test_shape_warnings_ride_along_with_shipped_rows(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted("W-1")["dispatch_order_no"]
    result = ok(upload(client, r, csv_bytes([[no, "SF", "ABC123456", "", ""]], "utf-8"),
                       "w.csv"))
    [row] = result["rows"]
    assert row["status"] == "shipped" and row["warnings"]
    assert "errors" not in row


def test_whole_file_problems_are_422(client: TestClient) -> None:
    r = routed(client)
    assert_problem(upload(client, r, b"", "a.csv"), 422, "SHEET_EMPTY")
    assert_problem(upload(client, r, b"a,b\n1,2\n", "a.csv"), 422,
                   "SHEET_HEADER_INVALID")
    assert_problem(upload(client, r, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls"), 422,
                   "UNREADABLE_FILE")


def test_templates(client: TestClient) -> None:
    r = routed(client)
    base = f"/api/v1/suppliers/{r.first.supplier_id}/shipments"
    csv = client.get(f"{base}/template.csv", headers=r.first.owner.headers)
    assert csv.status_code == 200
    assert csv.content.decode("utf-8-sig").startswith("代发单号,快递公司,快递单号")
    xlsx = client.get(f"{base}/template.xlsx", params={"lang": "en"},
                      headers=r.first.owner.headers)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert [c.value for c in book.active[1]] == ["dispatch_order_no", "carrier", "tracking_no",
                                                 "sku_code", "quantity"]
    assert_problem(client.get(f"{base}/template.csv", headers=r.w.headers), 404,
                   "SUPPLIER_NOT_FOUND")


def test_upload_rows_never_tell_a_supplier_about_other_suppliers(client: TestClient) -> None:
    r, rows, numbers = _scenario(client)
    result = upload(client, r, csv_bytes(rows, "utf-8"), "a.csv")
    assert numbers["foreign"] in result.text  # echoed back as the supplier typed it ...
    row = result.json()["rows"][7]
    assert row["errors"] == [{"column": "dispatch_order_no", "code": "DISPATCH_ORDER_NOT_FOUND",
                              "reason": "No dispatch order of yours has this number"}]


def test_utf16_and_rounded_ids_and_limits_from_the_settings(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted("U-16")["dispatch_order_no"]
    rows = [[no, "顺丰", "SF1234567890123", "", ""],
            ["3.72146E+18", "SF", "SF1234567890124", "", ""]]
    result = ok(upload(client, r, csv_bytes(rows, "utf-16"), "发货.txt", dry_run=True))
    assert statuses(result) == [(2, "ready", []),
                                (3, "error", [("dispatch_order_no", "ID_NOT_TEXT")])]
    with changed_settings(client, sheet_max_rows=1):
        assert_problem(upload(client, r, csv_bytes(rows, "utf-8"), "a.csv"), 422,
                       "SHEET_TOO_LARGE")
    with changed_settings(client, upload_max_bytes=1024):
        assert_problem(upload(client, r, csv_bytes(rows, "utf-8") + b" " * 1024, "a.csv"), 413,
                       "FILE_TOO_LARGE")
