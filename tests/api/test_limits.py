"""Numbers at the edges of what the API declares are answered, never a 500."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from daifa.orders.schemas import MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE_FEN
from tests import factories


def _order(unit_price_fen: int, lines: int = 1) -> dict[str, Any]:
    return {"external_id": f"EDGE-{unit_price_fen}-{lines}",
            "buyer": {"name": "张三", "phone": "13912345678",
                      "address": {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                                  "detail": "文三路 90 号"}},
            "lines": [{"sku_code": f"NOPE-{n}", "quantity": MAX_QUANTITY,
                       "unit_price_fen": unit_price_fen} for n in range(lines)]}


def test_the_largest_order_the_schema_allows_is_stored(client: TestClient) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    response = client.post(f"/api/v1/shops/{shop_id}/orders",
                           json=_order(MAX_UNIT_PRICE_FEN, MAX_LINES), headers=merchant.headers)
    assert response.status_code == 201, response.text
    assert len(response.json()["unassigned_lines"]) == MAX_LINES


def test_a_unit_price_past_the_limit_is_422(client: TestClient) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    response = client.post(f"/api/v1/shops/{shop_id}/orders",
                           json=_order(MAX_UNIT_PRICE_FEN + 1), headers=merchant.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "VALIDATION_FAILED"
    batch = client.post(f"/api/v1/shops/{shop_id}/orders:batch",
                        json={"orders": [_order(MAX_UNIT_PRICE_FEN + 1)]},
                        headers=merchant.headers)
    assert batch.status_code == 200, batch.text
    assert batch.json()["items"][0]["error"]["code"] == "VALIDATION_FAILED"
