"""Tenancy of the dispatch-order endpoints (the sweep in tests/api/test_tenancy.py covers the
paths under /shops/{shop_id} and /suppliers/{supplier_id}; these start with the dispatch order).

Every operation under /api/v1/dispatch-orders/{dispatch_order_no} in the OpenAPI document,
called by another tenant (a person, a shop API key, a supplier API key) for a real dispatch order
and one of its parcels, answers exactly like a number that does not exist: 404, same problem.
Nothing changes meanwhile. Also the supplier-scoped endpoints with foreign numbers in the body.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.api.support import assert_problem, ok, same_problem
from tests.api.test_tenancy import Sample
from tests.fulfilment.helpers import Routed, routed, ship

PREFIX = "/api/v1/dispatch-orders/{dispatch_order_no}"
MISSING_NO = "DO2611259999999999"
MISSING_SHIPMENT = "987654321"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, spec) for path, ops in document["paths"].items()
            if path.startswith(PREFIX) for method, spec in ops.items()]


def _call(client: TestClient, sample: Sample, method: str, path: str, spec: dict[str, Any],
          values: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": headers}
    content = spec.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        kwargs["json"] = sample.of(content["application/json"]["schema"])
    return client.request(method, path.format(**values), **kwargs)


def _strangers(client: TestClient) -> dict[str, dict[str, str]]:
    platform = factories.admin(client)
    person = factories.person(client)
    shop_id = factories.shop(client, person)
    supplier_id = factories.supplier(client, person, approve_with=platform)
    shop_key = ok(client.post(f"/api/v1/shops/{shop_id}/api-keys", headers=person.headers),
                  201)["key"]
    supplier_key = ok(client.post(f"/api/v1/suppliers/{supplier_id}/api-keys",
                                  headers=person.headers), 201)["key"]
    return {"person": person.headers, "shop-key": factories.auth(shop_key),
            "supplier-key": factories.auth(supplier_key)}


@pytest.fixture
def shipped(client: TestClient) -> tuple[Routed, str, str]:
    r = routed(client)
    accepted = r.accepted("TN-1", ("TEE-RED", 2))
    no = accepted["dispatch_order_no"]
    parcel = ok(ship(client, r.first, no, "SF", "SF1234567890123",
                     [(accepted["lines"][0]["line_id"], 1)]))["shipments"][0]
    return r, no, str(parcel["shipment_id"])


def test_dispatch_order_endpoints_are_404_for_other_tenants(
        client: TestClient, shipped: tuple[Routed, str, str]) -> None:
    r, no, shipment_id = shipped
    document = client.app.openapi()  # type: ignore[attr-defined]
    sample = Sample(document)
    operations = _operations(document)
    assert len(operations) >= 12
    before = r.get(no)
    failures = []
    for attacker, headers in _strangers(client).items():
        for method, path, spec in operations:
            real = {"dispatch_order_no": no, "shipment_id": shipment_id}
            missing = {"dispatch_order_no": MISSING_NO, "shipment_id": MISSING_SHIPMENT}
            foreign = _call(client, sample, method, path, spec, real, headers)
            absent = _call(client, sample, method, path, spec, missing, headers)
            if foreign.status_code != 404 or not same_problem(foreign, absent):
                failures.append(f"{attacker} {method} {path}: {foreign.status_code} "
                                f"{foreign.text[:160]} / {absent.text[:160]}")
    assert not failures, "\n".join(failures)
    after = r.get(no)
    assert after == before


def test_the_paths_swept_here_are_all_there_is(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    found = {path for path in document["paths"] if "dispatch-orders/{" in path}
    assert all(path.startswith(PREFIX) or re.match(r"^/api/v1/(shops|suppliers)/\{", path)
               for path in found), found


def test_foreign_numbers_in_a_suppliers_bulk_requests(client: TestClient,
                                                      shipped: tuple[Routed, str, str]) -> None:
    r, no, _ = shipped
    other = routed(client, suppliers=1)
    url = f"/api/v1/suppliers/{other.first.supplier_id}"
    headers = other.first.owner.headers
    accepted = ok(client.post(f"{url}/dispatch-orders:accept",
                              json={"dispatch_order_nos": [no, MISSING_NO]},
                              headers=headers))["items"]
    assert [item["error"]["code"] for item in accepted] == ["DISPATCH_ORDER_NOT_FOUND"] * 2
    assert accepted[0]["error"]["detail"] == accepted[1]["error"]["detail"]
    labels = client.post(f"{url}/labels.pdf", json={"dispatch_order_nos": [no]},
                         headers=headers)
    missing = client.post(f"{url}/labels.pdf", json={"dispatch_order_nos": [MISSING_NO]},
                          headers=headers)
    assert_problem(labels, 404, "DISPATCH_ORDER_NOT_FOUND")
    assert labels.json()["detail"].replace(no, "X") == missing.json()["detail"].replace(
        MISSING_NO, "X")
    assert r.get(no)["status"] == "partially_shipped"
