"""Tenancy sweep over the paths an object's own number scopes (a dispatch order, an
after-sales case, a parcel, an evidence file): every such operation in the OpenAPI document,
called by another tenant (a person, a shop API key, a supplier API key) with tenant A's real
numbers, answers exactly as it does for numbers that do not exist — 404, never 2xx.

The operations come from `/openapi.json`, so a new path under these objects is swept without
touching this file; a new kind of path parameter must be given a real object here (or listed as
deliberately public), else `test_every_object_path_is_swept_or_listed` fails.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests import factories
from tests.aftersales.helpers import Shipped, shipped
from tests.api.support import ok, same_problem
from tests.api.test_tenancy import Operation, Sample

ORG_PARAMS = re.compile(r"\{(shop_id|supplier_id)\}")
# Paths whose parameter is not a tenant's object, and why.
NOT_TENANT_SCOPED = {
    "/api/v1/invitations/{token}": "the invitation link is the capability: whoever has it reads it",
    "/api/v1/tracking/webhooks/{provider}": "a tracking provider's signed callback",
}
MISSING = {"dispatch_order_no": "DO2601010000000199", "case_no": "AS26010100000099",
           "shipment_id": "987654321", "evidence_id": "987654321"}


@dataclass
class World:
    a: Shipped
    ids: dict[str, str]  # parameter → tenant A's real object
    attackers: dict[str, dict[str, str]]


@pytest.fixture
def world(client: TestClient) -> Iterator[World]:
    a = shipped(client, external_id="TM-1")
    no = a.order["dispatch_orders"][0]["dispatch_order_no"]
    case = a.opened("refund_only")
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, format="PNG")
    evidence = ok(client.post(f"/api/v1/after-sales/{case['case_no']}/evidence",
                              files={"file": ("a.png", photo.getvalue(), "image/png")},
                              headers=a.w.headers), 201)
    dispatch = ok(client.get(f"/api/v1/dispatch-orders/{no}", headers=a.w.headers))
    shipment_id = str(dispatch["shipments"][0]["shipment_id"])
    stranger = factories.person(client)
    shop_id = factories.shop(client, stranger)
    supplier_id = factories.supplier(client, stranger, approve_with=a.w.platform)
    shop_key = ok(client.post(f"/api/v1/shops/{shop_id}/api-keys", headers=stranger.headers),
                  201)["key"]
    supplier_key = ok(client.post(f"/api/v1/suppliers/{supplier_id}/api-keys",
                                  headers=stranger.headers), 201)["key"]
    yield World(a, {"dispatch_order_no": no, "case_no": case["case_no"],
                    "shipment_id": shipment_id, "evidence_id": str(evidence["id"])},
                {"person": stranger.headers, "shop-key": factories.auth(shop_key),
                 "supplier-key": factories.auth(supplier_key)})


def _operations(document: dict[str, object]) -> Iterator[Operation]:
    for path, operations in document["paths"].items():  # type: ignore[attr-defined]
        if (not path.startswith("/api/") or "{" not in path or ORG_PARAMS.search(path)
                or any(path.startswith(p) for p in NOT_TENANT_SCOPED)):
            continue
        for method, spec in operations.items():
            yield Operation(method.upper(), path, spec)


@pytest.mark.parametrize("attacker", ["person", "shop-key", "supplier-key"])
def test_another_tenants_objects_are_404_like_missing_ones(client: TestClient, world: World,
                                                           attacker: str) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    sample = Sample(document)
    headers = world.attackers[attacker]
    failures, swept = [], 0
    for op in _operations(document):
        real = {name: world.ids[name] for name in op.params}
        made_up = {name: MISSING[name] for name in op.params}
        foreign = op.call(client, sample, real, headers)
        missing = op.call(client, sample, made_up, headers)
        swept += 1
        if foreign.status_code != 404 or not same_problem(foreign, missing):
            failures.append(f"{op.method} {op.path}: foreign {foreign.status_code} "
                            f"{foreign.text[:160]} / made-up {missing.text[:160]}")
    assert swept >= 24
    assert not failures, "\n".join(failures)


def test_every_object_path_is_swept_or_listed(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    for op in _operations(document):
        unknown = set(op.params) - set(MISSING)
        assert not unknown, (f"{op.method} {op.path}: give the sweep a real object for "
                             f"{unknown} or list the path in NOT_TENANT_SCOPED with why")


def test_the_owner_gets_the_objects_the_sweep_uses(client: TestClient, world: World) -> None:
    a, ids = world.a, world.ids
    ok(client.get(f"/api/v1/dispatch-orders/{ids['dispatch_order_no']}", headers=a.w.headers))
    ok(client.get(f"/api/v1/after-sales/{ids['case_no']}", headers=a.first.owner.headers))
    served = client.get(f"/api/v1/after-sales/{ids['case_no']}/evidence/{ids['evidence_id']}",
                        headers=a.w.headers)
    assert served.status_code == 200
