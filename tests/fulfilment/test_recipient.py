"""The full recipient and labels: need-to-know, recorded, limited per supplier per day."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.dispatch.models import RecipientReveal
from daifa.kit.clock import FrozenClock
from tests.api.support import assert_problem, changed_settings, ok
from tests.fulfilment.helpers import Routed, act, routed, ship, timeline_types
from tests.shipping.test_labels import page_count


def reveal(client: TestClient, r: Routed, no: str, purpose: str = "contact",
           who: object = None) -> object:
    headers = r.w.headers if who == "shop" else r.first.owner.headers
    return client.get(f"/api/v1/dispatch-orders/{no}/recipient", params={"purpose": purpose},
                      headers=headers)


def reveals(client: TestClient) -> list[tuple[str, str]]:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        return [(row.purpose, row.actor) for row in session.scalars(
            select(RecipientReveal).order_by(RecipientReveal.id))]


def test_recipient_only_while_accepted_or_partially_shipped(client: TestClient) -> None:
    r = routed(client)
    dispatch = r.dispatch("R-1", ("TEE-RED", 2))
    no = dispatch["dispatch_order_no"]
    assert dispatch["recipient"] == {"region": "浙江省 杭州市 西湖区", "name_masked": "张*",
                                     "phone_masked": "139****5678"}
    body = assert_problem(reveal(client, r, no), 409, "RECIPIENT_NOT_AVAILABLE")  # type: ignore[arg-type]
    assert body["current_status"] == "assigned"
    accepted = ok(act(client, r.first, no, "accept"))
    full = ok(reveal(client, r, no))  # type: ignore[arg-type]
    assert (full["name"], full["phone"], full["address"]["detail"], full["purpose"]) == (
        "张三", "13912345678", "文三路 90 号", "contact")
    ok(ship(client, r.first, no, "SF", "SF1234567890123",
            [(accepted["lines"][0]["line_id"], 1)]))
    assert ok(reveal(client, r, no, "label"))["name"] == "张三"  # type: ignore[arg-type]
    ok(ship(client, r.first, no, "SF", "SF1234567890124"))
    assert_problem(reveal(client, r, no), 409, "RECIPIENT_NOT_AVAILABLE")  # type: ignore[arg-type]
    assert [purpose for purpose, _ in reveals(client)] == ["contact", "label"]
    timeline = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline", headers=r.w.headers))
    shown = [(e["type"], e["reason"]) for e in timeline["items"]
             if e["type"] == "dispatch_order.recipient_revealed"]
    assert shown == [("dispatch_order.recipient_revealed", "contact"),
                     ("dispatch_order.recipient_revealed", "label")]
    assert "张三" not in str(timeline)


def test_recipient_is_the_suppliers_alone(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    assert_problem(reveal(client, r, no, who="shop"), 403, "SUPPLIER_ONLY")  # type: ignore[arg-type]
    other = r.w.suppliers[1].owner.headers
    for path in ("recipient", "label.pdf"):
        assert_problem(client.get(f"/api/v1/dispatch-orders/{no}/{path}", headers=other), 404,
                       "DISPATCH_ORDER_NOT_FOUND")
    assert_problem(reveal(client, r, no, purpose="curiosity"), 422, "VALIDATION_FAILED")  # type: ignore[arg-type]
    assert reveals(client) == []


def test_daily_limit_is_429_with_retry_after_until_local_midnight(
        client: TestClient, clock: FrozenClock) -> None:
    # Changed for this test only: the app (and its settings) serve the tests after it too.
    with changed_settings(client, recipient_reveals_per_day=2):
        r = routed(client)
        no = r.accepted()["dispatch_order_no"]
        ok(reveal(client, r, no))  # type: ignore[arg-type]
        ok(reveal(client, r, no))  # type: ignore[arg-type]
        limited = reveal(client, r, no)
        body = assert_problem(limited, 429, "RECIPIENT_REVEAL_LIMIT")  # type: ignore[arg-type]
        assert body["limit"] == 2
        # 02:00 UTC is 10:00 in Shanghai: 14 hours to midnight there.
        assert limited.headers["Retry-After"] == str(14 * 3600 + 1)  # type: ignore[attr-defined]
        assert_problem(client.get(f"/api/v1/dispatch-orders/{no}/label.pdf",
                                  headers=r.first.owner.headers), 429, "RECIPIENT_REVEAL_LIMIT")
        assert len(reveals(client)) == 2
        clock.advance(timedelta(hours=14))
        ok(reveal(client, r, no))  # type: ignore[arg-type]
        assert len(reveals(client)) == 3


def test_label_pdf_counts_as_a_reveal(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    response = client.get(f"/api/v1/dispatch-orders/{no}/label.pdf",
                          headers=r.first.owner.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and page_count(response.content) == 1
    assert reveals(client)[0][0] == "label"
    assert ("dispatch_order.recipient_revealed", "accepted") in timeline_types(client, r.w, no)


def test_bulk_labels_in_one_pdf_and_foreign_numbers_are_404(client: TestClient) -> None:
    r = routed(client)
    first = r.accepted("BL-1")["dispatch_order_no"]
    second = r.accepted("BL-2")["dispatch_order_no"]
    waiting = r.dispatch("BL-3")["dispatch_order_no"]
    url = f"/api/v1/suppliers/{r.first.supplier_id}/labels.pdf"
    headers = r.first.owner.headers
    response = client.post(url, json={"dispatch_order_nos": [second, first.lower()]},
                           headers=headers)
    assert response.status_code == 200, response.text
    assert page_count(response.content) == 2
    assert [p for p, _ in reveals(client)] == ["label", "label"]
    # Another supplier's dispatch order reads like a missing one, and nothing is revealed.
    other = routed(client)
    foreign = other.accepted("BL-9")["dispatch_order_no"]
    missing = "DO2611250000000099"
    body = assert_problem(client.post(url, json={"dispatch_order_nos": [first, foreign,
                                                                         missing]},
                                      headers=headers), 404, "DISPATCH_ORDER_NOT_FOUND")
    assert body["dispatch_order_nos"] == [foreign, missing]
    assert_problem(client.post(url, json={"dispatch_order_nos": [first, waiting]},
                               headers=headers), 409, "RECIPIENT_NOT_AVAILABLE")
    assert len(reveals(client)) == 2
