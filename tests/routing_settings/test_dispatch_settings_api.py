"""Dispatch settings and rules: modes, default supplier, ordered backups, audit, versions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.audit.models import AuditEvent
from daifa.db.uow import Database
from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import second_supplier, shop_product


@pytest.fixture
def world(client: TestClient) -> dict[str, Any]:
    """A shop bound to A and B, C active but unbound, with product TEE (SKUs TEE-M, TEE-L)."""
    platform = f.admin(client)
    merchant, shop_id, _, a = f.bound_pair(client)
    _, b = second_supplier(client, merchant, shop_id, platform)
    c = f.supplier(client, f.person(client), approve_with=platform)
    shop_product(client, merchant, shop_id, "TEE", [{"sku_code": "TEE-M", "price_fen": 1},
                                                    {"sku_code": "TEE-L", "price_fen": 1}])
    return {"platform": platform, "merchant": merchant, "shop_id": shop_id, "a": a, "b": b,
            "c": c, "url": f"/api/v1/shops/{shop_id}"}


def _put(client: TestClient, w: dict[str, Any], **body: Any) -> Any:
    return client.put(w["url"] + "/dispatch-settings", json=body, headers=w["merchant"].headers)


def _rule(client: TestClient, w: dict[str, Any], path: str, ids: list[str]) -> Any:
    return client.put(w["url"] + f"/dispatch-rules/{path}", json={"supplier_ids": ids},
                      headers=w["merchant"].headers)


def _events(db: Database, shop_id: str) -> list[str]:
    with db.unit_of_work(write=False) as session:
        return list(session.scalars(
            select(AuditEvent.type).where(AuditEvent.subject_type == "shop",
                                          AuditEvent.subject_id == shop_id,
                                          AuditEvent.type.like("dispatch.%"))
            .order_by(AuditEvent.id)))


def test_default_is_manual_until_set(client: TestClient, world: dict[str, Any]) -> None:
    settings = ok(client.get(world["url"] + "/dispatch-settings",
                             headers=world["merchant"].headers))
    assert settings == {"shop_id": world["shop_id"], "mode": "manual",
                        "default_supplier_id": None, "default_supplier": None,
                        "fallback_to_default": False, "ship_by_hours": 48, "version": 0,
                        "updated_at": None}


def test_whole_store_needs_a_bound_default_supplier(client: TestClient, world: dict[str, Any],
                                                    db: Database) -> None:
    assert_problem(_put(client, world, mode="whole_store"), 422, "DEFAULT_SUPPLIER_REQUIRED")
    assert_problem(_put(client, world, mode="whole_store", default_supplier_id=world["c"]),
                   422, "SUPPLIER_NOT_BOUND")
    assert_problem(_put(client, world, mode="whole_store", default_supplier_id=world["shop_id"]),
                   422, "NOT_A_SUPPLIER_ID")
    typo = world["a"][:-1] + ("2" if world["a"][-1] != "2" else "3")
    assert_problem(_put(client, world, mode="whole_store", default_supplier_id=typo),
                   422, "INVALID_SUPPLIER_ID")
    assert_problem(_put(client, world, mode="whole_store", default_supplier_id="SP0000000"),
                   404, "SUPPLIER_NOT_FOUND")
    settings = ok(_put(client, world, mode="whole_store", default_supplier_id=world["a"],
                       ship_by_hours=24))
    assert (settings["mode"], settings["default_supplier_id"], settings["ship_by_hours"],
            settings["version"]) == ("whole_store", world["a"], 24, 1)
    assert settings["default_supplier"]["bound"] is True
    assert settings["updated_at"] is not None
    assert _events(db, world["shop_id"]) == ["dispatch.settings_changed"]


def test_fields_left_out_keep_their_value_and_no_change_no_version(
        client: TestClient, world: dict[str, Any], db: Database) -> None:
    ok(_put(client, world, mode="whole_store", default_supplier_id=world["a"], ship_by_hours=12))
    settings = ok(_put(client, world, mode="by_product", fallback_to_default=True))
    assert (settings["default_supplier_id"], settings["ship_by_hours"],
            settings["fallback_to_default"], settings["version"]) == (world["a"], 12, True, 2)
    same = ok(_put(client, world, mode="by_product"))
    assert same["version"] == 2
    assert len(_events(db, world["shop_id"])) == 2
    assert_problem(_put(client, world, mode="by_product", default_supplier_id=None),
                   422, "DEFAULT_SUPPLIER_REQUIRED")
    cleared = ok(_put(client, world, mode="by_product", default_supplier_id=None,
                      fallback_to_default=False))
    assert cleared["default_supplier_id"] is None and cleared["version"] == 3
    assert_problem(_put(client, world, mode="sideways"), 422, "VALIDATION_FAILED")
    assert_problem(_put(client, world, mode="manual", ship_by_hours=0), 422, "VALIDATION_FAILED")


def test_a_default_that_lost_its_binding_must_be_replaced(client: TestClient,
                                                          world: dict[str, Any]) -> None:
    ok(_put(client, world, mode="whole_store", default_supplier_id=world["a"]))
    f.review(client, world["platform"], world["a"], "suspend")
    current = ok(client.get(world["url"] + "/dispatch-settings",
                            headers=world["merchant"].headers))
    assert current["default_supplier"]["bound"] is False
    assert_problem(_put(client, world, mode="whole_store", ship_by_hours=30),
                   422, "SUPPLIER_NOT_BOUND")
    assert ok(_put(client, world, mode="manual"))["mode"] == "manual"


def test_product_and_sku_rules(client: TestClient, world: dict[str, Any], db: Database) -> None:
    a, b = world["a"], world["b"]
    rule = ok(_rule(client, world, "products/TEE", [a, b]))
    assert (rule["kind"], rule["key"], rule["supplier_ids"]) == ("product", "TEE", [a, b])
    assert [(s["supplier_id"], s["bound"]) for s in rule["suppliers"]] == [(a, True), (b, True)]
    ok(_rule(client, world, "skus/TEE-L", [b]))
    ok(_rule(client, world, "products/TEE", [b, a]))
    ok(_rule(client, world, "products/TEE", [b, a]))  # unchanged: no new version
    listing = ok(client.get(world["url"] + "/dispatch-rules", headers=world["merchant"].headers))
    assert [(r["kind"], r["key"], r["supplier_ids"]) for r in listing["items"]] == [
        ("product", "TEE", [b, a]), ("sku", "TEE-L", [b])]
    assert listing["items"][0]["suppliers"][0]["name"]
    only_skus = ok(client.get(world["url"] + "/dispatch-rules", params={"kind": "sku"},
                              headers=world["merchant"].headers))
    assert [r["key"] for r in only_skus["items"]] == ["TEE-L"]
    settings = ok(client.get(world["url"] + "/dispatch-settings",
                             headers=world["merchant"].headers))
    assert settings["version"] == 3 and settings["mode"] == "manual"
    response = client.delete(world["url"] + "/dispatch-rules/skus/TEE-L",
                             headers=world["merchant"].headers)
    assert response.status_code == 204
    assert_problem(client.delete(world["url"] + "/dispatch-rules/skus/TEE-L",
                                 headers=world["merchant"].headers), 404, "RULE_NOT_FOUND")
    assert client.delete(world["url"] + "/dispatch-rules/products/TEE",
                         headers=world["merchant"].headers).status_code == 204
    assert _events(db, world["shop_id"]) == ["dispatch.rule_set"] * 3 + [
        "dispatch.rule_deleted"] * 2
    assert ok(client.get(world["url"] + "/dispatch-rules",
                         headers=world["merchant"].headers))["items"] == []


def test_rule_errors(client: TestClient, world: dict[str, Any]) -> None:
    a, b, c = world["a"], world["b"], world["c"]
    assert_problem(_rule(client, world, "products/NOPE", [a]), 404, "PRODUCT_NOT_FOUND")
    assert_problem(_rule(client, world, "skus/NOPE", [a]), 404, "SKU_NOT_FOUND")
    assert_problem(_rule(client, world, "products/TEE", [a, c]), 422, "SUPPLIER_NOT_BOUND")
    assert_problem(_rule(client, world, "products/TEE", [a, b, a.lower()]),
                   422, "DUPLICATE_SUPPLIER")
    assert_problem(_rule(client, world, "products/TEE", []), 422, "VALIDATION_FAILED")
    assert_problem(_rule(client, world, "products/TEE", [a] * 6), 422, "VALIDATION_FAILED")
    assert_problem(_rule(client, world, "skus/TEE-M", [world["shop_id"]]),
                   422, "NOT_A_SUPPLIER_ID")
    assert_problem(client.delete(world["url"] + "/dispatch-rules/products/TEE",
                                 headers=world["merchant"].headers), 404, "RULE_NOT_FOUND")
    assert ok(client.get(world["url"] + "/dispatch-settings",
                         headers=world["merchant"].headers))["version"] == 0


def test_five_suppliers_in_order(client: TestClient, world: dict[str, Any]) -> None:
    extra = [second_supplier(client, world["merchant"], world["shop_id"], world["platform"])[1]
             for _ in range(3)]
    ids = [world["a"], world["b"], *extra]
    assert ok(_rule(client, world, "skus/TEE-M", ids))["supplier_ids"] == ids


def test_rule_list_pages(client: TestClient, world: dict[str, Any]) -> None:
    for code in ("TEE-M", "TEE-L"):
        ok(_rule(client, world, f"skus/{code}", [world["a"]]))
    ok(_rule(client, world, "products/TEE", [world["a"]]))
    url = world["url"] + "/dispatch-rules"
    page = ok(client.get(url, params={"limit": 2}, headers=world["merchant"].headers))
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = ok(client.get(url, params={"limit": 2, "cursor": page["next_cursor"]},
                         headers=world["merchant"].headers))
    assert [r["key"] for r in rest["items"]] == ["TEE"] and rest["next_cursor"] is None
    found = ok(client.get(url, params={"q": "tee-l"}, headers=world["merchant"].headers))
    assert [r["key"] for r in found["items"]] == ["TEE-L"]


def test_other_tenants_and_suppliers_get_404(client: TestClient, world: dict[str, Any]) -> None:
    stranger = f.person(client)
    url = world["url"]
    for method, path in (("GET", "/dispatch-settings"), ("GET", "/dispatch-rules"),
                         ("PUT", "/dispatch-rules/products/TEE"),
                         ("DELETE", "/dispatch-rules/skus/TEE-M")):
        response = client.request(method, url + path, json={"supplier_ids": [world["a"]]},
                                  headers=stranger.headers)
        assert_problem(response, 404, "SHOP_NOT_FOUND")
    assert_problem(client.put(url + "/dispatch-settings", json={"mode": "manual"},
                              headers=stranger.headers), 404, "SHOP_NOT_FOUND")
    assert_problem(client.get("/api/v1/shops/SH0000000000/dispatch-settings",
                              headers=world["merchant"].headers), 404, "SHOP_NOT_FOUND")
