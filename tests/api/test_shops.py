"""Opening a shop and reading it back."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from daifa.kit import ids
from tests import factories
from tests.api.support import assert_problem, ok


def test_a_shop_gets_a_shop_id(client: TestClient) -> None:
    owner = factories.person(client)
    body = ok(client.post("/api/v1/shops", json={"name": " 小王的好物店 "}, headers=owner.headers),
              201)
    assert ids.is_valid_shop_id(body["shop_id"]) and body["shop_id"].startswith("SH")
    assert not ids.is_valid_supplier_id(body["shop_id"])
    assert body["name"] == "小王的好物店"
    again = ok(client.get(f"/api/v1/shops/{body['shop_id'].lower()}", headers=owner.headers))
    assert again == body


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 121},
                                  {"name": 5}])
def test_a_shop_needs_a_name(client: TestClient, body: dict[str, object]) -> None:
    owner = factories.person(client)
    assert_problem(client.post("/api/v1/shops", json=body, headers=owner.headers), 422,
                   "VALIDATION_FAILED")


def test_opening_a_shop_needs_a_token(client: TestClient) -> None:
    assert_problem(client.post("/api/v1/shops", json={"name": "x"}), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("shop_id", ["SH1234567890", "SH12", "nonsense", "SP2345678"])
def test_unknown_and_malformed_shops_are_404(client: TestClient, shop_id: str) -> None:
    owner = factories.person(client)
    factories.shop(client, owner)
    assert_problem(client.get(f"/api/v1/shops/{shop_id}", headers=owner.headers), 404,
                   "SHOP_NOT_FOUND")
