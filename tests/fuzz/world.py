"""A small, realistic world to fuzz the API in, made through the API itself.

A shop bound to two suppliers, with a catalog whose SKUs are sourced from both; TEE goes to the
first supplier and MUG to the second. Three orders: one shipped by both (with an after-sales
case, a photo as evidence and the first supplier's return address), one still waiting for the
first supplier to accept it, one the first supplier accepted and shipped in part. An invitation
link, a binding application each way, webhooks with a delivery each, and an API key for the shop
and one for the first supplier. The two callers come with the real value of every path parameter
that names one of their objects (or, for the shop, a supplier it is bound to, and the other way).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from fastapi.testclient import TestClient
from PIL import Image

from tests import factories
from tests.aftersales.helpers import Shipped, return_address, shipped
from tests.api.support import ok
from tests.orders.helpers import order_body


@dataclass
class Caller:
    """Who the fuzzer acts as, and the real values of the path parameters it may name."""

    role: str
    token: str
    values: dict[str, list[str]] = field(default_factory=dict)
    login: str | None = None  # a person's, whose session is renewed (see `renew`)

    @property
    def headers(self) -> dict[str, str]:
        return factories.auth(self.token)

    def renew(self, client: TestClient) -> None:
        """A fresh session before each operation: one of them signs the session out."""
        if self.login is not None:
            self.token = factories.token_for(client, self.login)


def _key(client: TestClient, person: factories.Person, kind: str, org: str) -> tuple[str, str]:
    created = ok(client.post(f"/api/v1/{kind}/{org}/api-keys", headers=person.headers), 201)
    return created["key"], str(created["id"])


def _webhook(client: TestClient, person: factories.Person, kind: str,
             org: str) -> tuple[str, str]:
    """A webhook endpoint of the organisation and one delivery to it (a queued ping)."""
    base = f"/api/v1/{kind}/{org}/webhooks"
    endpoint = ok(client.post(base, json={"url": "https://hooks.example.com/daifa"},
                              headers=person.headers), 201)
    ping = ok(client.post(f"{base}/{endpoint['id']}/test", headers=person.headers), 202)
    return str(endpoint["id"]), str(ping["id"])


def _png() -> bytes:
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, format="PNG")
    return photo.getvalue()


def _orders(client: TestClient, a: Shipped) -> tuple[list[str], list[str], list[str]]:
    """(order ids, dispatch order numbers, parcel ids) of the three orders."""
    w, first = a.w, a.w.suppliers[0]
    waiting = w.order(order_body("FZ-2", ("TEE-BLUE", 1)))
    part = w.order(order_body("FZ-3", ("TEE-RED", 2), ("TEE-BLUE", 1)))
    [dispatch] = part["dispatch_orders"]
    no = dispatch["dispatch_order_no"]
    ok(client.post(f"/api/v1/dispatch-orders/{no}/accept", headers=first.owner.headers))
    line = next(x["line_id"] for x in dispatch["lines"] if x["sku_code"] == "TEE-RED")
    ok(client.post(f"/api/v1/dispatch-orders/{no}/ship", headers=first.owner.headers,
                   json={"carrier": "SF", "tracking_no": "SF3000000000001",
                         "lines": [{"line_id": line, "quantity": 1}]}))
    orders = [a.order, waiting, part]
    nos = [d["dispatch_order_no"] for order in orders for d in order["dispatch_orders"]]
    parcels = [str(s["shipment_id"]) for n in nos
               for s in ok(client.get(f"/api/v1/dispatch-orders/{n}",
                                      headers=w.headers))["shipments"]]
    return [str(order["order_id"]) for order in orders], nos, parcels


def build(client: TestClient) -> dict[str, Caller]:
    """The world, and a caller for the shop and one for its first supplier, by role."""
    a = shipped(client, suppliers=2, external_id="FZ-1")
    w, first, second = a.w, a.w.suppliers[0], a.w.suppliers[1]
    order_ids, nos, parcels = _orders(client, a)
    case = a.opened("refund_only")
    evidence = ok(client.post(f"/api/v1/after-sales/{case['case_no']}/evidence",
                              files={"file": ("a.png", _png(), "image/png")},
                              headers=w.headers), 201)
    address = return_address(client, first)
    invitation = factories.invitation(client, w.merchant, w.shop_id, max_uses=3)["token"]
    newcomer = factories.person(client)
    newcomer_id = factories.supplier(client, newcomer, approve_with=w.platform)
    outgoing = ok(client.post(f"/api/v1/shops/{w.shop_id}/binding-applications",
                              json={"supplier_id": newcomer_id}, headers=w.headers), 201)
    other = factories.person(client)
    other_shop = factories.shop(client, other)
    incoming = ok(client.post(f"/api/v1/shops/{other_shop}/binding-applications",
                              json={"supplier_id": first.supplier_id}, headers=other.headers),
                  201)
    _, shop_key_id = _key(client, w.merchant, "shops", w.shop_id)
    supplier_key, supplier_key_id = _key(client, first.owner, "suppliers", first.supplier_id)
    shop_hook = _webhook(client, w.merchant, "shops", w.shop_id)
    supplier_hook = _webhook(client, first.owner, "suppliers", first.supplier_id)
    common = {"dispatch_order_no": nos, "case_no": [case["case_no"]],
              "evidence_id": [str(evidence["id"])], "shipment_id": parcels,
              "order_id": order_ids, "token": [invitation], "provider": ["sandbox"]}
    # The shop speaks through its owner's session (a person, so the paths only people may use
    # are reached too), the supplier through its API key.
    shop = Caller("shop", w.merchant.token, login=w.merchant.login, values={
        **common, "shop_id": [w.shop_id],
        "supplier_id": [first.supplier_id, second.supplier_id, newcomer_id],
        "spu_code": ["TEE", "MUG"], "sku_code": ["TEE-RED", "TEE-BLUE", "MUG-1"],
        "key_id": [shop_key_id], "application_id": [str(outgoing["id"])],
        "endpoint_id": [shop_hook[0]], "delivery_id": [shop_hook[1]]})
    supplier = Caller("supplier", supplier_key, values={
        **common, "supplier_id": [first.supplier_id], "shop_id": [w.shop_id, other_shop],
        "spu_code": ["X1-TEE", "X1-MUG"], "sku_code": ["X1-TEE-RED", "X1-TEE-BLUE", "X1-MUG-1"],
        "key_id": [supplier_key_id], "application_id": [str(incoming["id"])],
        "endpoint_id": [supplier_hook[0]], "delivery_id": [supplier_hook[1]],
        "address_id": [str(address["id"])]})
    return {"shop": shop, "supplier": supplier}
