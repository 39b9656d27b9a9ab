from __future__ import annotations

from fastapi.testclient import TestClient

from tests import factories


def test_invitation_binds_shop_and_supplier(client: TestClient) -> None:
    merchant, shop_id, _owner, supplier_id = factories.bound_pair(client)
    response = client.get(f"/api/v1/shops/{shop_id}/bindings", headers=merchant.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(b["supplier_id"], b["status"], b["created_via"]) for b in items] == [
        (supplier_id, "active", "invitation")]


def test_openapi_document_is_served(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "daifa"
