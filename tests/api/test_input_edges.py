"""Input no database column can hold is 422 with a code, never a 500: NUL characters and
unpaired surrogates, integers past 64 bits, times out of range, deep nesting, booleans where
numbers belong. On SQLite and PostgreSQL (which refuses NUL in text)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.api.support import assert_problem

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 90 号"}


def _order(external_id: str = "E-1", **changes: Any) -> dict[str, Any]:
    body = {"external_id": external_id,
            "buyer": {"name": "张三", "phone": "13912345678", "address": ADDRESS},
            "lines": [{"sku_code": "TEE-RED", "quantity": 1, "unit_price_fen": 100}]}
    body.update(changes)
    return body


def _raw(body: dict[str, Any], old: str, new: str) -> bytes:
    """The body's JSON with one escape put in by hand (a client cannot encode a lone
    surrogate, so the bytes are written as a hostile one would)."""
    text = json.dumps(body)
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.fixture
def merchant(client: TestClient) -> factories.Person:
    person = factories.person(client)
    factories.shop(client, person)
    return person


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800", "\\udfff"])
def test_nul_or_lone_surrogate_in_an_order_is_422(client: TestClient,
                                                  merchant: factories.Person,
                                                  escape: str) -> None:
    content = _raw(_order(), '"E-1"', f'"E-1{escape}"')
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders", content=content,
                           headers={**merchant.headers, "content-type": "application/json"})
    body = assert_problem(response, 422, "INVALID_TEXT")
    assert body["field"] == "body.external_id"


def test_raw_surrogate_bytes_are_422_too(client: TestClient,
                                        merchant: factories.Person) -> None:
    content = json.dumps(_order()).encode().replace(b'"E-1"', b'"E-1\xed\xa0\x80"')
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders", content=content,
                           headers={**merchant.headers, "content-type": "application/json"})
    assert_problem(response, 422, "INVALID_TEXT")


def test_paired_surrogates_are_fine(client: TestClient, merchant: factories.Person) -> None:
    content = _raw(_order(), '"\\u5f20\\u4e09"', '"\\ud83d\\ude00"')  # an emoji, escaped
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders", content=content,
                           headers={**merchant.headers, "content-type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["buyer"]["name"] == "😀"


@pytest.mark.parametrize("path, body", [
    ("/api/v1/auth/token", {"login": "someone", "password": "PW"}),
    ("/api/v1/auth/signup", {"login": "someone", "password": "correct horse PW",
                             "display_name": "Someone"}),
])
def test_sign_in_and_sign_up_refuse_nul_without_a_token(client: TestClient, path: str,
                                                       body: dict[str, Any]) -> None:
    for escape in ("\\u0000", "\\udc80"):
        response = client.post(path, content=_raw(body, "PW", escape),
                               headers={"content-type": "application/json"})
        assert_problem(response, 422, "INVALID_TEXT")
    login = _raw(body, '"someone"', '"some\\u0000one"')
    assert_problem(client.post(path, content=login,
                               headers={"content-type": "application/json"}),
                   422, "INVALID_TEXT")


def test_nul_in_query_and_path_parameters_is_422(client: TestClient,
                                                 merchant: factories.Person) -> None:
    shop_id = merchant.shops[0]
    response = client.get(f"/api/v1/shops/{shop_id}/orders?supplier_id=SP%00X",
                          headers=merchant.headers)
    assert assert_problem(response, 422, "INVALID_TEXT")["field"] == "supplier_id"
    response = client.get(f"/api/v1/shops/{shop_id}/orders/1%00", headers=merchant.headers)
    assert_problem(response, 422, "INVALID_TEXT")


def test_integers_past_64_bits_are_422_with_or_without_an_idempotency_key(
        client: TestClient, merchant: factories.Person) -> None:
    shop_id = merchant.shops[0]
    for value in (2**64, 2**63, -(2**63) - 1):
        for extra in ({}, {"Idempotency-Key": f"big-{value}"}):
            response = client.post(f"/api/v1/shops/{shop_id}/orders:batch",
                                   json={"orders": [{"external_id": "X", "n": value}]},
                                   headers={**merchant.headers, **extra})
            body = assert_problem(response, 422, "NUMBER_OUT_OF_RANGE")
            assert body["field"] == "body.orders.0.n"
    response = client.post(f"/api/v1/shops/{shop_id}/orders/1/assign",
                           json={"assignments": [{"line_id": 2**63, "supplier_id": "SPX",
                                                  "quantity": 1}]}, headers=merchant.headers)
    assert_problem(response, 422, "NUMBER_OUT_OF_RANGE")


def test_without_a_token_a_huge_integer_is_401_first(client: TestClient,
                                                     merchant: factories.Person) -> None:
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders:batch",
                           json={"orders": [{"n": 2**64}]}, headers={"Idempotency-Key": "k"})
    assert_problem(response, 401, "UNAUTHENTICATED")


def test_deep_nesting_is_422(client: TestClient, merchant: factories.Person) -> None:
    deep: Any = "x"
    for _ in range(300):
        deep = [deep]
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders:batch",
                           json={"orders": [{"external_id": "D", "deep": deep}]},
                           headers={**merchant.headers, "Idempotency-Key": "deep"})
    assert_problem(response, 422, "NESTED_TOO_DEEPLY")


@pytest.mark.parametrize("paid_at", ["9999-12-30T00:00:00Z", "0001-01-01T00:00:00+14:00",
                                     "9999-12-31T23:59:59-14:00", "1900-01-01T00:00:00Z"])
def test_paid_at_out_of_range_is_422(client: TestClient, merchant: factories.Person,
                                     paid_at: str) -> None:
    shop_id = merchant.shops[0]
    response = client.post(f"/api/v1/shops/{shop_id}/orders", json=_order(paid_at=paid_at),
                           headers=merchant.headers)
    assert_problem(response, 422, "DATE_OUT_OF_RANGE")
    batch = client.post(f"/api/v1/shops/{shop_id}/orders:batch",
                        json={"orders": [_order(paid_at=paid_at)]}, headers=merchant.headers)
    assert batch.status_code == 200, batch.text
    assert batch.json()["items"][0]["error"]["code"] == "DATE_OUT_OF_RANGE"


@pytest.mark.parametrize("paid_at", ["2026-11-25T02:11:00Z",  # 11 minutes ahead of the clock
                                     "2026-08-26T00:00:00Z",  # 91 days back
                                     "2000-01-01T00:00:00+08:00"])
def test_paid_at_outside_the_window_is_422(client: TestClient, merchant: factories.Person,
                                           paid_at: str) -> None:
    shop_id = merchant.shops[0]
    response = client.post(f"/api/v1/shops/{shop_id}/orders", json=_order(paid_at=paid_at),
                           headers=merchant.headers)
    body = assert_problem(response, 422, "PAID_AT_OUT_OF_RANGE")
    assert (body["days"], body["minutes"]) == (90, 10)
    batch = client.post(f"/api/v1/shops/{shop_id}/orders:batch",
                        json={"orders": [_order("W-1", paid_at=paid_at), _order("W-2")]},
                        headers=merchant.headers)
    first, second = batch.json()["items"]
    assert first["error"]["code"] == "PAID_AT_OUT_OF_RANGE"
    assert second["created"] is True


@pytest.mark.parametrize("paid_at", ["2026-11-25T02:09:00Z", "2026-08-28T00:00:00Z"])
def test_paid_at_inside_the_window_is_taken(client: TestClient, merchant: factories.Person,
                                            paid_at: str) -> None:
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders",
                           json=_order(paid_at=paid_at), headers=merchant.headers)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("query", ["created_from=0001-01-01T00:00:00%2B14:00",
                                   "created_to=9999-12-31T23:59:59-14:00",
                                   "created_from=9999-12-31T00:00:00Z"])
def test_list_filters_out_of_range_are_422(client: TestClient, merchant: factories.Person,
                                           query: str) -> None:
    response = client.get(f"/api/v1/shops/{merchant.shops[0]}/orders?{query}",
                          headers=merchant.headers)
    assert_problem(response, 422, "DATE_OUT_OF_RANGE")


@pytest.mark.parametrize("line", [{"quantity": True}, {"quantity": 1.0},
                                  {"unit_price_fen": False}, {"quantity": "1"}])
def test_integers_are_integers(client: TestClient, merchant: factories.Person,
                               line: dict[str, Any]) -> None:
    body = _order(lines=[{"sku_code": "TEE-RED", "quantity": 1, "unit_price_fen": 100, **line}])
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders", json=body,
                           headers=merchant.headers)
    if line == {"quantity": "1"}:  # digits in text still parse (forms and cells send text)
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 422, "VALIDATION_FAILED")


def test_booleans_are_booleans(client: TestClient) -> None:
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    path = f"/api/v1/suppliers/{supplier_id}/settings"
    for value in (1, 0):
        response = client.put(path, json={"auto_accept": value}, headers=owner.headers)
        assert_problem(response, 422, "VALIDATION_FAILED")
    response = client.put(path, json={"auto_accept": True}, headers=owner.headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("query", ["created_from=1700000000", "created_to=4.03e-181",
                                   "created_from=-1"])
def test_list_filters_take_times_not_numbers(client: TestClient, merchant: factories.Person,
                                             query: str) -> None:
    # Read as seconds since 1970, a number would have passed for a time without an offset.
    response = client.get(f"/api/v1/shops/{merchant.shops[0]}/orders?{query}",
                          headers=merchant.headers)
    assert_problem(response, 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("paid_at", [1700000000, 1.7e9, "1700000000"])
def test_paid_at_is_a_time_not_a_number(client: TestClient, merchant: factories.Person,
                                        paid_at: Any) -> None:
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/orders",
                           json=_order(paid_at=paid_at), headers=merchant.headers)
    assert_problem(response, 422, "VALIDATION_FAILED")


def test_every_bound_the_api_checks_is_in_its_openapi_document(client: TestClient,
                                                               merchant: factories.Person) -> None:
    # Written as JSON Schema (minimum, maximum), not as pydantic's own ge/le, which JSON
    # Schema readers ignore: a client could not know a price may not be negative.
    document = client.get("/openapi.json").json()
    assert not re.search(r'"(ge|le|gt|lt)":', json.dumps(document))
    schemas = document["components"]["schemas"]
    price = schemas["ShopSkuIn"]["properties"]["price_fen"]
    assert (price["minimum"], price["maximum"]) == (0, 10**12)
    [hours, _] = schemas["DispatchSettingsIn"]["properties"]["ship_by_hours"]["anyOf"]
    assert (hours["minimum"], hours["maximum"]) == (1, 720)
    quantity = schemas["LineIn"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 100_000)
    response = client.put(f"/api/v1/shops/{merchant.shops[0]}/dispatch-settings",
                          json={"mode": "manual", "ship_by_hours": 721},
                          headers=merchant.headers)
    assert_problem(response, 422, "VALIDATION_FAILED")


def test_whitespace_in_patterns_is_the_same_in_the_document_as_in_the_check(
        client: TestClient, merchant: factories.Person) -> None:
    # `\s` differs between JSON Schema's regexes (U+FEFF, not U+0085) and the engine that
    # checks them (U+0085, not U+FEFF): the patterns name both, so either reading agrees.
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for pattern in (schemas["ShopIn"]["properties"]["name"]["pattern"],
                    schemas["SupplySkuIn"]["properties"]["sku_code"]["pattern"]):
        assert "\\u0085" in pattern and "\\ufeff" in pattern, pattern
    response = client.post("/api/v1/shops", json={"name": "\ufeff"}, headers=merchant.headers)
    assert_problem(response, 422, "VALIDATION_FAILED")
    response = client.post("/api/v1/shops", json={"name": "\u0085"}, headers=merchant.headers)
    assert_problem(response, 422, "VALIDATION_FAILED")
