"""The routing snapshot compiled from the database: what routing believes, and in how many
statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from daifa.context import Actor, Ctx
from daifa.fulfilment.reactions import REACTIONS
from daifa.routing import snapshot
from daifa.routing.rules import ELIGIBLE, Skip
from daifa.shops.models import Shop
from tests.api.support import ok
from tests.catalog.helpers import second_supplier
from tests.orders.helpers import World, world


@contextmanager
def system_ctx(client: TestClient) -> Iterator[Ctx]:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work(write=False) as session:
        yield Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=hub.settings,
                  clock=hub.clock)


def compiled(w: World, skus: set[str] | None) -> snapshot.Compiled:
    with system_ctx(w.client) as ctx:
        shop_pk = ctx.session.scalar(select(Shop.id).where(Shop.shop_id == w.shop_id))
        assert shop_pk is not None
        return snapshot.build(ctx, shop_pk, skus)


def test_fresh_shop_routes_manually(client: TestClient) -> None:
    w = world(client, suppliers=1)
    snap = compiled(w, {"TEE-RED"}).snap
    assert (snap.mode, snap.default_supplier_pk, snap.ship_by_hours) == ("manual", None, 48)


def test_snapshot_holds_only_the_skus_asked_for_and_their_rules(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product", default_supplier_id=b.supplier_id, fallback_to_default=True)
    w.rule("products", "TEE", a, b)
    w.rule("products", "MUG", b)
    w.rule("skus", "TEE-BLUE", b)
    result = compiled(w, {"TEE-RED", "NOPE"})
    snap = result.snap
    assert set(snap.skus) == {"TEE-RED"}
    assert set(snap.product_rules) == {"TEE"} and snap.sku_rules == {}
    pk_a, pk_b = (result.pk_of(s.supplier_id) for s in (a, b))
    assert snap.product_rules["TEE"] == (pk_a, pk_b)
    assert snap.suppliers == {pk_a: ELIGIBLE, pk_b: ELIGIBLE}
    assert {pk: s.supplier_sku_code for pk, s in snap.skus["TEE-RED"].sources.items()} == {
        pk_a: "X1-TEE-RED", pk_b: "X2-TEE-RED"}
    everything = compiled(w, None).snap
    assert set(everything.skus) == {"TEE-RED", "TEE-BLUE", "MUG-1"}
    assert set(everything.sku_rules) == {"TEE-BLUE"}


def test_supplier_state_unbound_and_suspended(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a, b)
    ok(client.post(f"/api/v1/admin/suppliers/{a.supplier_id}/suspend",
                   headers=w.platform.headers))
    ok(client.delete(w.url(f"/bindings/{b.supplier_id}"), headers=w.headers))
    result = compiled(w, {"TEE-RED"})
    assert result.snap.suppliers == {result.pk_of(a.supplier_id): Skip.SUSPENDED,
                                     result.pk_of(b.supplier_id): Skip.UNBOUND}


def test_inactive_supply_sku_or_product_is_no_source(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    ok(client.post(f"/api/v1/suppliers/{a.supplier_id}/products/X1-TEE/skus/X1-TEE-RED/"
                   "deactivate", headers=a.owner.headers))
    ok(client.post(f"/api/v1/suppliers/{b.supplier_id}/products/X2-TEE/deactivate",
                   headers=b.owner.headers))
    result = compiled(w, {"TEE-RED", "TEE-BLUE"})
    sources = {sku: set(entry.sources) for sku, entry in result.snap.skus.items()}
    pk_a = result.pk_of(a.supplier_id)
    assert sources == {"TEE-RED": set(), "TEE-BLUE": {pk_a}}


def test_tracked_stock_is_in_the_snapshot(client: TestClient) -> None:
    w = world(client, suppliers=1, stock=7)
    snap = compiled(w, {"TEE-RED"}).snap
    (source,) = snap.skus["TEE-RED"].sources.values()
    assert source.tracked and snap.stock == {source.supply_sku_pk: 7}
    untracked = world(client, suppliers=1)
    (plain,) = compiled(untracked, {"TEE-RED"}).snap.skus["TEE-RED"].sources.values()
    assert not plain.tracked


def test_snapshot_costs_four_statements_whatever_the_catalog(client: TestClient) -> None:
    w = world(client, suppliers=2)
    _, extra = second_supplier(client, w.merchant, w.shop_id, w.platform)
    w.settings("by_product")
    engine = client.app.state.hub.db.engine  # type: ignore[attr-defined]
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    with system_ctx(client) as ctx:
        shop_pk = ctx.session.scalar(select(Shop.id).where(Shop.shop_id == w.shop_id))
        assert shop_pk is not None
        event.listen(engine, "before_cursor_execute", listener)
        try:
            snapshot.build(ctx, shop_pk, {"TEE-RED", "TEE-BLUE", "MUG-1"})
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 4
    assert extra
