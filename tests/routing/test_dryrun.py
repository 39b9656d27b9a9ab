"""Dry run: last N days of orders against a proposed rule set, changing nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from daifa.kit.clock import FrozenClock
from daifa.registry import metadata
from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.orders.helpers import World, order_body, world


def dry_run(w: World, **body: Any) -> Any:
    return w.client.post(w.url("/dispatch-rules:dry-run"), json=body, headers=w.headers)


def row_counts(client: TestClient) -> dict[str, int]:
    with client.app.state.hub.db.unit_of_work(write=False) as session:  # type: ignore[attr-defined]
        return {table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in metadata.sorted_tables}


def history(w: World, clock: FrozenClock) -> None:
    """Old orders (40 days ago) and recent ones, routed by a product rule to supplier A."""
    a, _ = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    clock.advance(timedelta(days=-40))
    w.order(order_body("OLD-1", ("TEE-RED", 9)))
    clock.advance(timedelta(days=40))
    w.order(order_body("NEW-1", ("TEE-RED", 2), ("MUG-1", 1)))
    w.order(order_body("NEW-2", ("TEE-BLUE", 3), ("NOPE", 1)))


def test_dry_run_compares_current_and_proposed_rules(client: TestClient,
                                                     clock: FrozenClock) -> None:
    w = world(client)
    a, b = w.suppliers
    history(w, clock)
    report = ok(dry_run(w, days=30, sku_rules={"TEE-BLUE": [b.supplier_id]},
                        product_rules={"MUG": [b.supplier_id]}))
    assert (report["orders"], report["lines"], report["changed_lines"]) == (2, 4, 2)
    assert report["current"] == {
        "suppliers": [{"supplier_id": a.supplier_id, "name": "测试供应商", "lines": 2,
                       "quantity": 5, "cost_fen": 5 * 1100}],
        "unassigned": [{"reason": "NO_RULE", "lines": 1, "quantity": 1},
                       {"reason": "UNKNOWN_SKU", "lines": 1, "quantity": 1}]}
    proposed = {s["supplier_id"]: s for s in report["proposed"]["suppliers"]}
    assert proposed[a.supplier_id]["quantity"] == 2
    assert proposed[b.supplier_id] == {"supplier_id": b.supplier_id, "name": "测试供应商",
                                       "lines": 2, "quantity": 4, "cost_fen": 4 * 1200}
    assert report["proposed"]["unassigned"] == [{"reason": "UNKNOWN_SKU", "lines": 1,
                                                 "quantity": 1}]


def test_dry_run_over_more_days_includes_older_orders(client: TestClient,
                                                      clock: FrozenClock) -> None:
    w = world(client)
    history(w, clock)
    report = ok(dry_run(w, days=60))
    assert (report["orders"], report["lines"], report["changed_lines"]) == (3, 5, 0)
    assert report["current"] == report["proposed"]


def test_dry_run_can_switch_mode_and_remove_rules(client: TestClient,
                                                  clock: FrozenClock) -> None:
    w = world(client)
    _, b = w.suppliers
    history(w, clock)
    whole = ok(dry_run(w, settings={"mode": "whole_store", "default_supplier_id": b.supplier_id}))
    assert [s["supplier_id"] for s in whole["proposed"]["suppliers"]] == [b.supplier_id]
    assert whole["proposed"]["suppliers"][0]["lines"] == 3
    removed = ok(dry_run(w, product_rules={"TEE": []}))
    assert removed["proposed"]["suppliers"] == []
    assert {u["reason"]: u["lines"] for u in removed["proposed"]["unassigned"]} == {
        "NO_RULE": 3, "UNKNOWN_SKU": 1}
    manual = ok(dry_run(w, settings={"mode": "manual"}))
    assert {u["reason"] for u in manual["proposed"]["unassigned"]} == {"MANUAL_MODE",
                                                                        "UNKNOWN_SKU"}


def test_dry_run_changes_nothing(client: TestClient, clock: FrozenClock) -> None:
    w = world(client)
    _, b = w.suppliers
    history(w, clock)
    before = row_counts(client)
    settings = ok(client.get(w.url("/dispatch-settings"), headers=w.headers))
    ok(dry_run(w, settings={"mode": "whole_store", "default_supplier_id": b.supplier_id},
               product_rules={"TEE": [b.supplier_id]}))
    assert row_counts(client) == before
    assert ok(client.get(w.url("/dispatch-settings"), headers=w.headers)) == settings


def test_dry_run_names_only_bound_suppliers(client: TestClient, clock: FrozenClock) -> None:
    w = world(client)
    history(w, clock)
    stranger = f.supplier(client, f.person(client), approve_with=w.platform)
    assert_problem(dry_run(w, sku_rules={"TEE-RED": [stranger]}), 422, "SUPPLIER_NOT_BOUND")
    assert_problem(dry_run(w, settings={"default_supplier_id": w.shop_id}), 422,
                   "NOT_A_SUPPLIER_ID")
    assert_problem(dry_run(w, days=0), 422, "VALIDATION_FAILED")


def test_dry_run_without_a_body_replays_the_current_rules(client: TestClient,
                                                          clock: FrozenClock) -> None:
    w = world(client)
    history(w, clock)
    report = ok(client.post(w.url("/dispatch-rules:dry-run"), headers=w.headers))
    assert report["days"] == 30 and report["changed_lines"] == 0


def test_dry_run_uses_a_read_only_transaction(client: TestClient) -> None:
    w = world(client, suppliers=1)
    engine = client.app.state.hub.db.engine  # type: ignore[attr-defined]
    writes: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "BEGIN IMM")):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        ok(dry_run(w, days=7))
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert writes == []
