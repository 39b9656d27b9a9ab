"""Hostile workbooks on every spreadsheet endpoint: refused for what they are, quickly, with
nothing landed and the server still answering (one of them used to abort the process)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.api.support import assert_problem
from tests.unit.test_sheet_bounds import HEADER, workbook

FAR_CORNER = workbook(HEADER + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
BLANK_ROWS = workbook(HEADER + "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t> </t>'
                                       "</is></c></row>" for n in range(2, 210_000)))
PACKED = workbook(HEADER + '<row><c t="inlineStr"><is><t> </t></is></c></row>' * 300_000)


@pytest.mark.parametrize(("data", "status", "code"), [
    (FAR_CORNER, 422, "SHEET_TOO_LARGE"),
    (BLANK_ROWS, 422, "SHEET_TOO_LARGE"),
    (PACKED, 413, "SHEET_UNPACKS_TOO_LARGE"),
], ids=["far-corner", "blank-rows", "packed"])
def test_every_upload_refuses_a_bomb_and_keeps_serving(client: TestClient, data: bytes,
                                                        status: int, code: str) -> None:
    assert client.app.state.hub.settings.sheet_max_rows == 200_000  # type: ignore[attr-defined]
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    uploads = [(merchant, f"/api/v1/shops/{shop_id}/orders:import"),
               (owner, f"/api/v1/suppliers/{supplier_id}/products:import"),
               (owner, f"/api/v1/suppliers/{supplier_id}/shipments:upload")]
    for person, path in uploads:
        started = time.monotonic()
        response = client.post(path, headers=person.headers,
                               files={"file": ("bomb.xlsx", data, "application/octet-stream")})
        assert_problem(response, status, code)
        assert time.monotonic() - started < 10, path  # a loose bound: refused before parsing
    orders = client.get(f"/api/v1/shops/{shop_id}/orders", headers=merchant.headers)
    assert orders.status_code == 200 and orders.json()["items"] == []
    products = client.get(f"/api/v1/suppliers/{supplier_id}/products", headers=owner.headers)
    assert products.status_code == 200 and products.json()["items"] == []


def test_another_tenant_cannot_make_the_server_read_a_file(client: TestClient) -> None:
    """The owner is checked before the file is opened: a stranger's upload is 404 even when
    the file itself would be refused."""
    _, shop_id, _, _ = factories.bound_pair(client)
    stranger = factories.person(client)
    response = client.post(f"/api/v1/shops/{shop_id}/orders:import", headers=stranger.headers,
                           files={"file": ("bomb.xlsx", FAR_CORNER, "application/octet-stream")})
    assert response.status_code == 404
