"""POST /dispatch-orders/{no}/ship and tracking-number corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.kit.clock import FrozenClock
from daifa.shipping.models import TrackingCorrection
from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import Routed, act, routed, ship, timeline_types


def _two_lines(r: Routed, external_id: str = "P-1") -> tuple[str, int, int]:
    accepted = r.accepted(external_id, ("TEE-RED", 3), ("MUG-1", 2))
    red, mug = (line["line_id"] for line in accepted["lines"])
    return accepted["dispatch_order_no"], red, mug


def test_partial_then_full_shipment_in_several_parcels(client: TestClient) -> None:
    r = routed(client)
    no, red, mug = _two_lines(r)
    first = ok(ship(client, r.first, no, "顺丰", " sf 1234567890123 ", [(red, 2)]))
    assert first["status"] == "partially_shipped"
    assert first["warnings"] == []
    [parcel] = first["shipments"]
    assert (parcel["carrier"], parcel["tracking_no"]) == ("SF", "SF1234567890123")
    assert [(line["line_id"], line["quantity"]) for line in parcel["lines"]] == [(red, 2)]
    assert {line["line_id"]: line["shipped_quantity"] for line in first["lines"]} == {
        red: 2, mug: 0}
    order_id = first["order_id"]
    assert r.shop_order(order_id)["status"] == "partially_shipped"
    rest = ok(ship(client, r.first, no, "ZTO", "73123456789012"))
    assert rest["status"] == "shipped"
    assert rest["shipped_at"] is not None
    assert [(p["carrier"], [(line["line_id"], line["quantity"]) for line in p["lines"]])
            for p in rest["shipments"]] == [("SF", [(red, 2)]), ("ZTO", [(red, 1), (mug, 2)])]
    assert r.shop_order(order_id)["status"] == "shipped"
    assert_problem(ship(client, r.first, no, "YTO", "YT1234567890123"), 409,
                   "INVALID_TRANSITION")
    assert [t for t in timeline_types(client, r.w, no) if t[0].startswith("dispatch_order.ship")] \
        == [("dispatch_order.ship_partially", "partially_shipped"),
            ("dispatch_order.ship_fully", "shipped")]


def test_more_than_is_left_is_409_and_changes_nothing(client: TestClient) -> None:
    r = routed(client)
    no, red, _ = _two_lines(r)
    body = assert_problem(ship(client, r.first, no, "SF", "SF1234567890123", [(red, 4)]), 409,
                          "QUANTITY_EXCEEDS_REMAINING")
    assert body["remaining"] == 3
    ok(ship(client, r.first, no, "SF", "SF1234567890123", [(red, 2)]))
    assert_problem(ship(client, r.first, no, "SF", "SF1234567890124", [(red, 1), (red, 1)]),
                   409, "QUANTITY_EXCEEDS_REMAINING")
    after = r.get(no, r.first)
    assert [line["shipped_quantity"] for line in after["lines"]] == [2, 0]
    assert len(after["shipments"]) == 1


def test_carrier_and_number_are_checked(client: TestClient) -> None:
    r = routed(client)
    no, red, _ = _two_lines(r)
    body = assert_problem(ship(client, r.first, no, "顺风快运", "SF1234567890123"), 422,
                          "UNKNOWN_CARRIER")
    assert "SF" in body["accepted"]
    assert_problem(ship(client, r.first, no, "SF", "SF 12/34"), 422, "INVALID_TRACKING_NO")
    assert_problem(ship(client, r.first, no, "SF", "SF1234567890123", [(999999, 1)]), 422,
                   "LINE_NOT_FOUND")
    warned = ok(ship(client, r.first, no, "中通快递", "123456", [(red, 1)]))
    assert warned["warnings"] and "ZTO" in warned["warnings"][0]
    assert r.get(no)["status"] == "partially_shipped"


def test_a_tracking_number_belongs_to_one_dispatch_order(client: TestClient) -> None:
    r = routed(client)
    no, red, mug = _two_lines(r, "T-1")
    other, *_ = _two_lines(r, "T-2")
    ok(ship(client, r.first, no, "SF", "SF1234567890123", [(red, 1)]))
    body = assert_problem(ship(client, r.first, other, "SF", "sf1234567890123"), 409,
                          "TRACKING_NO_IN_USE")
    assert no not in body["detail"]
    # The same parcel may carry more lines of its own dispatch order.
    again = ok(ship(client, r.first, no, "SF", "SF1234567890123", [(red, 1), (mug, 2)]))
    [parcel] = again["shipments"]
    assert sorted((line["line_id"], line["quantity"]) for line in parcel["lines"]) == [
        (red, 2), (mug, 2)]
    # Another carrier may use the same number.
    assert ok(ship(client, r.first, other, "YTO", "SF1234567890123"))["warnings"]


def test_ship_needs_its_supplier_and_an_accepted_order(client: TestClient) -> None:
    r = routed(client)
    dispatch = r.dispatch("N-1")
    no = dispatch["dispatch_order_no"]
    body = assert_problem(ship(client, r.first, no, "SF", "SF1234567890123"), 409,
                          "INVALID_TRANSITION")
    assert body["current_status"] == "assigned"
    assert_problem(client.post(f"/api/v1/dispatch-orders/{no}/ship",
                               json={"carrier": "SF", "tracking_no": "SF1234567890123"},
                               headers=r.w.headers), 403, "SUPPLIER_ONLY")
    assert_problem(ship(client, r.w.suppliers[1], no, "SF", "SF1234567890123"), 404,
                   "DISPATCH_ORDER_NOT_FOUND")


def test_ship_with_an_idempotency_key_ships_once(client: TestClient) -> None:
    r = routed(client)
    no, red, _ = _two_lines(r)
    first = ok(ship(client, r.first, no, "SF", "SF1234567890123", [(red, 1)],
                    **{"Idempotency-Key": "k-1"}))
    again = ship(client, r.first, no, "SF", "SF1234567890123", [(red, 1)],
                 **{"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first
    assert r.get(no)["lines"][0]["shipped_quantity"] == 1


def test_shipping_after_ship_by_flags_the_order_late(client: TestClient,
                                                     clock: FrozenClock) -> None:
    r = routed(client)
    no, *_ = _two_lines(r)
    clock.advance(timedelta(hours=49))
    shipped = ok(ship(client, r.first, no, "SF", "SF1234567890123"))
    assert shipped["late"] is True
    assert ("dispatch_order.late", "shipped") in timeline_types(client, r.w, no)


def test_tracking_number_correction_is_recorded(client: TestClient) -> None:
    r = routed(client)
    no, red, _ = _two_lines(r)
    shipped = ok(ship(client, r.first, no, "SF", "SF1234567890123", [(red, 1)]))
    parcel_id = shipped["shipments"][0]["shipment_id"]
    url = f"/api/v1/dispatch-orders/{no}/shipments/{parcel_id}"
    fixed = ok(client.patch(url, json={"carrier": "中通", "tracking_no": "73123456789012",
                                       "reason": "typo"}, headers=r.first.owner.headers))
    assert [(p["carrier"], p["tracking_no"]) for p in fixed["shipments"]] == [
        ("ZTO", "73123456789012")]
    assert fixed["warnings"] == []
    kept = ok(client.patch(url, json={"tracking_no": "73123456789013"},
                           headers=r.first.owner.headers))
    assert kept["shipments"][0]["carrier"] == "ZTO"
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        rows = session.scalars(select(TrackingCorrection).order_by(TrackingCorrection.id)).all()
        assert [(c.old_carrier_code, c.old_tracking_no, c.new_carrier_code, c.new_tracking_no,
                 c.reason) for c in rows] == [
            ("SF", "SF1234567890123", "ZTO", "73123456789012", "typo"),
            ("ZTO", "73123456789012", "ZTO", "73123456789013", None)]
    types = timeline_types(client, r.w, no)
    assert types.count(("dispatch_order.tracking_corrected", "partially_shipped")) == 2
    assert_problem(client.patch(f"/api/v1/dispatch-orders/{no}/shipments/999999",
                                json={"tracking_no": "73123456789013"},
                                headers=r.first.owner.headers), 404, "SHIPMENT_NOT_FOUND")
    assert_problem(client.patch(url, json={"tracking_no": "73123456789013"},
                                headers=r.w.headers), 403, "SUPPLIER_ONLY")


@pytest.mark.parametrize("parcel_id", [2**64, -(2**64), 2**63, 0])
def test_correcting_a_parcel_id_no_column_holds_is_404_like_a_missing_one(
        client: TestClient, parcel_id: int) -> None:
    r = routed(client)
    no, *_ = _two_lines(r)
    ok(ship(client, r.first, no, "SF", "SF1234567890123"))
    assert_problem(client.patch(f"/api/v1/dispatch-orders/{no}/shipments/{parcel_id}",
                                json={"tracking_no": "73123456789013"},
                                headers=r.first.owner.headers), 404, "SHIPMENT_NOT_FOUND")


def test_correction_to_a_number_in_use_is_409(client: TestClient) -> None:
    r = routed(client)
    no, *_ = _two_lines(r, "C-1")
    other, *_ = _two_lines(r, "C-2")
    parcel = ok(ship(client, r.first, no, "SF", "SF1234567890123"))["shipments"][0]
    ok(ship(client, r.first, other, "SF", "SF1234567890124"))
    assert_problem(client.patch(f"/api/v1/dispatch-orders/{no}/shipments/"
                                f"{parcel['shipment_id']}",
                                json={"tracking_no": "SF1234567890124"},
                                headers=r.first.owner.headers), 409, "TRACKING_NO_IN_USE")
    assert r.get(no)["shipments"][0]["tracking_no"] == "SF1234567890123"


def test_supplier_views_never_carry_sale_prices(client: TestClient) -> None:
    r = routed(client)
    no, red, _ = _two_lines(r)
    responses = [
        ship(client, r.first, no, "SF", "SF1234567890123", [(red, 1)]),
        client.get(f"/api/v1/dispatch-orders/{no}", headers=r.first.owner.headers),
        client.get(f"/api/v1/suppliers/{r.first.supplier_id}/dispatch-orders",
                   headers=r.first.owner.headers),
        client.get(f"/api/v1/dispatch-orders/{no}/timeline", headers=r.first.owner.headers),
        act(client, r.first, no, "hold", {"reason": "other"}),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert "unit_price_fen" not in response.text
        assert "5900" not in response.text
        assert "张三" not in response.text and "13912345678" not in response.text
