"""One timeline per shop order: the whole story for its shop and admins, a supplier's part on
its dispatch order's timeline, roles instead of logins, a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.audit import service as audit
from daifa.config import Settings
from daifa.context import Actor, Ctx, Scope
from daifa.db.uow import Database
from daifa.identity.models import Account
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import bind, shop_product, supply_product
from tests.fulfilment.helpers import act, ship
from tests.orders.helpers import World, order_body, world
from tests.orders.test_reading import statements
from tests.tracking.helpers import event, post_events

PARCEL = "SF1000000000001"


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    return Worker(settings=settings, db=db, clock=clock, name="test-worker")


def _world(client: TestClient) -> World:
    """TEE goes to the first supplier, MUG to the second."""
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    w.rule("products", "MUG", b)
    return w


def _story(w: World, order_id: str, headers: dict[str, str] | None = None) -> list[Any]:
    url = w.url(f"/orders/{order_id}/timeline")
    return ok(w.client.get(url, headers=headers or w.headers))["items"]  # type: ignore[no-any-return]


def _flow(client: TestClient, clock: FrozenClock, worker: Worker) -> tuple[World, dict[str, Any]]:
    """Ingested and routed to two suppliers; both accept; the first ships one parcel that is
    collected, moves and is delivered; the second puts its part on hold."""
    w = _world(client)
    order = w.order(order_body("TL-1", ("TEE-RED", 2), ("MUG-1", 1)))
    tee, mug = order["dispatch_orders"]
    a, b = w.suppliers
    for who, dispatch in ((a, tee), (b, mug)):
        clock.advance(timedelta(minutes=5))
        ok(act(client, who, dispatch["dispatch_order_no"], "accept"))
    clock.advance(timedelta(minutes=5))
    ok(act(client, b, mug["dispatch_order_no"], "hold", {"reason": "out_of_stock"}))
    clock.advance(timedelta(minutes=5))
    ok(ship(client, a, tee["dispatch_order_no"], "SF", PARCEL))
    start = clock.now()
    ok(post_events(client, [
        event(PARCEL, "collected", start + timedelta(hours=1), description="【杭州】已揽收"),
        event(PARCEL, "in_transit", start + timedelta(hours=5)),
        event(PARCEL, "delivered", start + timedelta(days=1)),
    ]), 202)
    clock.advance(timedelta(days=1, hours=1))
    worker.run_due_jobs()
    return w, order


def test_the_whole_story_in_order_with_roles(client: TestClient, clock: FrozenClock,
                                             worker: Worker) -> None:
    w, order = _flow(client, clock, worker)
    tee, mug = (d["dispatch_order_no"] for d in order["dispatch_orders"])
    items = _story(w, order["order_id"])
    story = [(i["type"], i["actor_role"], i["object"]["type"], i["object"]["id"]) for i in items]
    assert story == [
        ("shop_order.received", "merchant", "shop_order", order["order_id"]),
        ("dispatch_order.created", "merchant", "dispatch_order", tee),
        ("dispatch_order.created", "merchant", "dispatch_order", mug),
        ("dispatch_order.accept", "supplier", "dispatch_order", tee),
        ("dispatch_order.accept", "supplier", "dispatch_order", mug),
        ("dispatch_order.hold", "supplier", "dispatch_order", mug),
        ("dispatch_order.ship_fully", "supplier", "dispatch_order", tee),
        ("shop_order.ship_partially", "system", "shop_order", order["order_id"]),
        ("shipment.scan", "system", "shipment", items[8]["object"]["id"]),
        ("shipment.scan", "system", "shipment", items[8]["object"]["id"]),
        ("shipment.scan", "system", "shipment", items[8]["object"]["id"]),
        ("dispatch_order.deliver", "system", "dispatch_order", tee),
    ]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    created = items[1]["data"]
    assert created["supplier_id"] == w.suppliers[0].supplier_id
    [line] = created["lines"]
    assert (line["sku_code"], line["quantity"], line["reason"]) == ("TEE-RED", 2, "product_rule")
    assert line["routing"]["reason"] == "product_rule"
    shipped = items[6]["data"]
    assert (shipped["carrier"], shipped["tracking_no"]) == ("SF", PARCEL)
    scans = items[8:11]
    assert [s["to_status"] for s in scans] == ["collected", "in_transit", "delivered"]
    assert scans[0]["object"]["dispatch_order_no"] == tee
    assert scans[0]["data"] == {"carrier": "SF", "tracking_no": PARCEL,
                                "description": "【杭州】已揽收"}
    assert items[5]["reason"] == "out_of_stock"
    text = str(items)
    for person in (w.merchant, *(s.owner for s in w.suppliers)):
        assert person.login not in text
    assert "actor" not in items[0] and "actor_key" not in items[0]
    # The order itself carries the same story, in the audit shape with the shop's own login.
    detail = ok(client.get(w.url(f"/orders/{order['order_id']}"), headers=w.headers))
    assert [(e["type"], e["actor_role"]) for e in detail["timeline"]] == [
        (i["type"], i["actor_role"]) for i in items]
    assert detail["timeline"][0]["actor"] == w.merchant.login
    assert detail["timeline"][3]["actor"] == "supplier"
    assert w.suppliers[0].owner.login not in str(detail["timeline"])


def test_a_supplier_reads_only_its_own_part(client: TestClient, clock: FrozenClock,
                                            worker: Worker) -> None:
    w, order = _flow(client, clock, worker)
    tee, mug = (d["dispatch_order_no"] for d in order["dispatch_orders"])
    a, b = w.suppliers
    url = f"/api/v1/dispatch-orders/{tee}/timeline"
    items = ok(client.get(url, headers=a.owner.headers))["items"]
    assert [(i["type"], i["actor_role"], i["actor"]) for i in items] == [
        ("dispatch_order.created", "merchant", "merchant"),
        ("dispatch_order.accept", "supplier", a.owner.login),
        ("dispatch_order.ship_fully", "supplier", a.owner.login),
        ("shipment.scan", "system", "system"),
        ("shipment.scan", "system", "system"),
        ("shipment.scan", "system", "system"),
        ("dispatch_order.deliver", "system", items[-1]["actor"]),
    ]
    assert items[-1]["actor"] == "worker:tracking.process"  # the worker's own label
    text = str(items)
    assert w.merchant.login not in text
    assert b.supplier_id not in text and mug not in text and b.owner.login not in text
    assert "5900" not in text and "张三" not in text and "13912345678" not in text
    assert all(i["subject"] == i["object"]["type"] for i in items)
    # The shop reads the same dispatch order with its own login and the supplier's role.
    shop_view = ok(client.get(url, headers=w.headers))["items"]
    assert shop_view[0]["actor"] == w.merchant.login
    assert shop_view[1]["actor"] == "supplier"
    # The admin reads every label.
    admin_view = ok(client.get(url, headers=w.platform.headers))["items"]
    assert admin_view[1]["actor"] == a.owner.login
    # The other supplier is a stranger to this dispatch order.
    assert_problem(client.get(url, headers=b.owner.headers), 404, "DISPATCH_ORDER_NOT_FOUND")


def test_a_reassigned_dispatch_order_does_not_tell_its_supplier_who_took_over(
        client: TestClient) -> None:
    w = _world(client)
    a, b = w.suppliers
    order = w.order(order_body("TL-2", ("TEE-RED", 1)))
    [tee] = order["dispatch_orders"]
    no = tee["dispatch_order_no"]
    ok(client.post(w.url(f"/dispatch-orders/{no}/reassign"),
                   json={"supplier_id": b.supplier_id}, headers=w.headers))
    seen = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline", headers=a.owner.headers))
    assert [i["type"] for i in seen["items"]] == ["dispatch_order.created",
                                                  "dispatch_order.reassign"]
    assert b.supplier_id not in str(seen)
    shop = _story(w, order["order_id"])
    reassigned = next(i for i in shop if i["type"] == "dispatch_order.reassign")
    assert reassigned["data"]["to_supplier_id"] == b.supplier_id
    assert reassigned["actor_role"] == "merchant"


def test_a_rerouted_order_shows_the_backup_made_by_the_system(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a, b)
    order = w.order(order_body("TL-3", ("TEE-RED", 1)))
    [first] = order["dispatch_orders"]
    ok(act(client, a, first["dispatch_order_no"], "reject", {"reason": "out_of_stock"}))
    items = _story(w, order["order_id"])
    roles = [(i["type"], i["actor_role"]) for i in items]
    assert roles[:3] == [("shop_order.received", "merchant"),
                         ("dispatch_order.created", "merchant"),
                         ("dispatch_order.reject", "supplier")]
    assert ("dispatch_order.created", "system") in roles
    backup = [i for i in items if i["type"] == "dispatch_order.created"][1]
    assert backup["data"]["lines"][0]["routing"]["skipped"] == [
        {"supplier_id": a.supplier_id, "why": "out_of_stock"}]
    # The backup supplier's own view: made by the system, not by the first supplier.
    no = backup["object"]["id"]
    seen = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline", headers=b.owner.headers))
    assert [(i["type"], i["actor"]) for i in seen["items"]] == [
        ("dispatch_order.created", "system")]
    assert a.owner.login not in str(seen)


def test_tenancy_and_admin(client: TestClient) -> None:
    w = _world(client)
    order = w.order(order_body("TL-4", ("TEE-RED", 1)))
    path = f"/orders/{order['order_id']}/timeline"
    other = world(client, suppliers=1)
    # Another shop's order under its own shop is 404 like a missing one.
    assert_problem(client.get(other.url(path), headers=other.headers), 404, "ORDER_NOT_FOUND")
    assert_problem(client.get(w.url("/orders/99999999/timeline"), headers=w.headers), 404,
                   "ORDER_NOT_FOUND")
    # Someone else on the shop's path, a supplier of the order included, is 404.
    for stranger in (other.merchant, w.suppliers[0].owner, factories.person(client)):
        assert_problem(client.get(w.url(path), headers=stranger.headers), 404,
                       "SHOP_NOT_FOUND")
    assert_problem(client.get(w.url(path)), 401, "UNAUTHENTICATED")
    admin = _story(w, order["order_id"], w.platform.headers)
    assert [i["type"] for i in admin] == ["shop_order.received", "dispatch_order.created"]
    assert_problem(client.get(f"/api/v1/shops/SH1000000001{path}", headers=w.platform.headers),
                   404, "SHOP_NOT_FOUND")


def test_the_number_of_queries_does_not_grow_with_dispatch_orders(
        client: TestClient, clock: FrozenClock) -> None:
    w = _world(client)
    small = w.order(order_body("Q-1", ("TEE-RED", 1)))
    big = w.order(order_body("Q-2", ("TEE-RED", 1), ("MUG-1", 1)))
    for order in (small, big):
        for d in order["dispatch_orders"]:
            who = next(s for s in w.suppliers if s.supplier_id == d["supplier_id"])
            ok(act(client, who, d["dispatch_order_no"], "accept"))
            ok(ship(client, who, d["dispatch_order_no"], "SF",
                    f"SF10000000{d['dispatch_order_no'][-6:]}"))
    counts = []
    for order in (small, big):
        with statements(client) as seen:
            _story(w, order["order_id"])
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 9  # 8, and one for the order's after-sales cases


def test_a_merchant_supplying_its_own_shop_is_told_apart_by_the_move(
        client: TestClient) -> None:
    merchant = factories.person(client)
    platform = factories.admin(client)
    shop_id = factories.shop(client, merchant)
    supplier_id = factories.supplier(client, merchant, approve_with=platform)
    bind(client, merchant, shop_id, merchant, supplier_id)
    supply_product(client, merchant, supplier_id, "OWN", skus=[
        {"sku_code": "OWN-1", "supply_price_fen": 1000}])
    shop_product(client, merchant, shop_id, "TEE", [
        {"sku_code": "TEE-RED", "price_fen": 5900,
         "sources": [{"supplier_id": supplier_id, "sku_code": "OWN-1"}]}])
    url = f"/api/v1/shops/{shop_id}"
    ok(client.put(f"{url}/dispatch-settings", json={
        "mode": "whole_store", "default_supplier_id": supplier_id}, headers=merchant.headers))
    order = ok(client.post(f"{url}/orders", json=order_body("OWN-1"), headers=merchant.headers),
               201)
    [d] = order["dispatch_orders"]
    ok(client.post(f"/api/v1/dispatch-orders/{d['dispatch_order_no']}/accept",
                   headers=merchant.headers))
    items = ok(client.get(f"{url}/orders/{order['order_id']}/timeline",
                          headers=merchant.headers))["items"]
    assert [(i["type"], i["actor_role"]) for i in items] == [
        ("shop_order.received", "merchant"), ("dispatch_order.created", "merchant"),
        ("dispatch_order.accept", "supplier")]


def test_an_admins_move_reads_as_the_platform(client: TestClient, clock: FrozenClock) -> None:
    w = _world(client)
    order = w.order(order_body("TL-5", ("TEE-RED", 1)))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        admin = session.scalar(select(Account).where(Account.login == w.platform.login))
        assert admin is not None
        actor = Actor(scope=Scope.PERSON, account_id=admin.id, is_admin=True, label=admin.login)
        ctx = Ctx(session=session, actor=actor, settings=hub.settings, clock=clock)
        audit.record(ctx, "dispatch_order", no, "dispatch_order.hold", reason="other",
                     data={"by": "platform"})
    [*_, held] = _story(w, order["order_id"])
    assert (held["type"], held["actor_role"]) == ("dispatch_order.hold", "platform")
    seen = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline",
                         headers=w.suppliers[0].owner.headers))["items"]
    assert (seen[-1]["actor_role"], seen[-1]["actor"]) == ("platform", "platform")
    assert w.platform.login not in str(seen)
