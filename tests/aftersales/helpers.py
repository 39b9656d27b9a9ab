"""After-sales test steps through the public API: a shop order shipped by one or two
suppliers, parcels delivered through the tracking webhook, cases opened and moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from daifa.dispatch.models import DispatchLine
from tests.api.support import ok
from tests.orders.helpers import Supplier, World, order_body, world
from tests.tracking.helpers import event, post_events

_PARCELS = count(2_000_000_000_000)
RETURN_ADDRESS = {"name": "退货仓", "phone": "13800001111",
                  "address": {"province": "广东省", "city": "广州市", "district": "白云区",
                              "detail": "太和镇 1 号"}}


@dataclass
class Shipped:
    """A shop order (TEE-RED × 2 and MUG-1 × 1 at 59 yuan each) whose dispatch orders have all
    shipped; with two suppliers, TEE goes to the first and MUG to the second."""

    client: TestClient
    w: World
    order: dict[str, Any]
    parcels: dict[str, str] = field(default_factory=dict)  # dispatch order no. → tracking no.

    @property
    def order_id(self) -> str:
        return str(self.order["order_id"])

    def line(self, sku: str) -> int:
        return next(int(line["line_id"]) for line in self.order["lines"]
                    if line["sku_code"] == sku)

    def supplier_of(self, no: str) -> Supplier:
        dispatch = next(d for d in self.order["dispatch_orders"]
                        if d["dispatch_order_no"] == no)
        return next(s for s in self.w.suppliers if s.supplier_id == dispatch["supplier_id"])

    @property
    def first(self) -> Supplier:
        return self.w.suppliers[0]

    def open(self, kind: str = "refund_only", lines: list[tuple[str, int]] | None = None,
             reason: str = "damaged", **extra: Any) -> httpx.Response:
        body = {"type": kind, "reason": reason,
                "lines": [{"line_id": self.line(sku), "quantity": q}
                          for sku, q in (lines or [("TEE-RED", 1)])], **extra}
        return self.client.post(self.w.url(f"/orders/{self.order_id}/after-sales"), json=body,
                                headers=self.w.headers)

    def opened(self, kind: str = "refund_only", lines: list[tuple[str, int]] | None = None,
               **extra: Any) -> dict[str, Any]:
        [case] = ok(self.open(kind, lines, **extra), 201)["items"]
        return case  # type: ignore[no-any-return]

    def deliver(self, at: datetime) -> None:
        ok(post_events(self.client, [event(number, "delivered", at)
                                     for number in self.parcels.values()]), 202)


def shipped(client: TestClient, suppliers: int = 1, external_id: str = "AS-1") -> Shipped:
    w = world(client, suppliers=suppliers)
    if suppliers == 1:
        w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    else:
        w.settings("by_product")
        w.rule("products", "TEE", w.suppliers[0])
        w.rule("products", "MUG", w.suppliers[1])
    order = w.order(order_body(external_id, ("TEE-RED", 2), ("MUG-1", 1)))
    result = Shipped(client, w, order)
    for dispatch in order["dispatch_orders"]:
        no = dispatch["dispatch_order_no"]
        who = result.supplier_of(no).owner.headers
        ok(client.post(f"/api/v1/dispatch-orders/{no}/accept", headers=who))
        number = f"SF{next(_PARCELS):013d}"
        ok(client.post(f"/api/v1/dispatch-orders/{no}/ship",
                       json={"carrier": "SF", "tracking_no": number}, headers=who))
        result.parcels[no] = number
    return result


def case_action(client: TestClient, who: Any, no: str, action: str,
                body: Any = None) -> httpx.Response:
    headers = who.owner.headers if isinstance(who, Supplier) else who.headers
    return client.post(f"/api/v1/after-sales/{no}/{action}", json=body, headers=headers)


def get_case(client: TestClient, who: Any, no: str) -> httpx.Response:
    headers = who.owner.headers if isinstance(who, Supplier) else who.headers
    return client.get(f"/api/v1/after-sales/{no}", headers=headers)


def return_address(client: TestClient, supplier: Supplier, **extra: Any) -> dict[str, Any]:
    return ok(client.post(f"/api/v1/suppliers/{supplier.supplier_id}/return-addresses",  # type: ignore[no-any-return]
                          json={**RETURN_ADDRESS, **extra}, headers=supplier.owner.headers),
              201)


def claimed_units(client: TestClient) -> int:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        return int(session.scalar(select(func.sum(DispatchLine.claimed_quantity))) or 0)
