"""Order files with times and amounts no order can have: row errors with a code, never a
500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.orders.helpers import world
from tests.orders.test_files import ADDRESS, HEADER, upload


@pytest.mark.parametrize("cells, column, code", [
    ("TEE-RED,1,1e308,", "unit_price", "INVALID_YUAN"),
    ("TEE-RED,1,-1e308,", "unit_price", "INVALID_YUAN"),
    ("TEE-RED,1,1e999999,", "unit_price", "INVALID_YUAN"),
    ("TEE-RED,1,59,0001-01-01T00:00:00+14:00", "paid_at", "INVALID_TIME"),
    ("TEE-RED,1,59,9999-12-31T23:59:59-14:00", "paid_at", "INVALID_TIME"),
    ("TEE-RED,1,59,9999-12-30 00:00:00", "paid_at", "INVALID_VALUE"),
    ("TEE-RED,1,59,2026-11-25 10:15:00", "paid_at", "PAID_AT_OUT_OF_RANGE"),  # 15 min ahead
    ("TEE-RED,1,59,2020-01-01 00:00:00", "paid_at", "PAID_AT_OUT_OF_RANGE"),
])
def test_a_row_past_what_an_order_can_hold_is_a_row_error(client: TestClient, cells: str,
                                                         column: str, code: str) -> None:
    w = world(client)
    content = (HEADER + f"E-1,张三,13912345678,{ADDRESS},{cells}\n").encode()
    response = upload(w, content)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["summary"]["orders_error"] == 1
    errors = result["rows"][0]["errors"]
    assert [(e["column"], e["code"]) for e in errors][:1] == [(column, code)], errors
