"""Bindings: both sides list them, either side unbinds with a reason, history stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.kit import ids
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem, ok


def _unbind_by_shop(client: TestClient, merchant: factories.Person, shop_id: str,
                    supplier_id: str, reason: str | None = None) -> object:
    return client.request("DELETE", f"/api/v1/shops/{shop_id}/bindings/{supplier_id}",
                          json={"reason": reason} if reason else None, headers=merchant.headers)


def _unbind_by_supplier(client: TestClient, owner: factories.Person, supplier_id: str,
                        shop_id: str, reason: str | None = None) -> object:
    return client.request("DELETE", f"/api/v1/suppliers/{supplier_id}/bindings/{shop_id}",
                          json={"reason": reason} if reason else None, headers=owner.headers)


def _listed(client: TestClient, who: factories.Person, url: str,
            **params: object) -> list[tuple[str, str, str]]:
    items = ok(client.get(url, params=params, headers=who.headers))["items"]
    return [(b["shop_id"], b["supplier_id"], b["status"]) for b in items]


def test_both_sides_list_the_binding(client: TestClient) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    expected = [(shop_id, supplier_id, "active")]
    assert _listed(client, merchant, f"/api/v1/shops/{shop_id}/bindings") == expected
    assert _listed(client, owner, f"/api/v1/suppliers/{supplier_id}/bindings") == expected
    [binding] = ok(client.get(f"/api/v1/shops/{shop_id}/bindings",
                              headers=merchant.headers))["items"]
    assert set(binding) >= {"shop_id", "supplier_id", "status", "created_via", "created_at"}
    assert binding["supplier_status"] == "active"


@pytest.mark.parametrize("side", ["shop", "supplier"])
def test_either_side_unbinds_with_a_reason_and_history_stays(client: TestClient,
                                                             clock: FrozenClock,
                                                             side: str) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    clock.advance(timedelta(days=2))
    if side == "shop":
        response = _unbind_by_shop(client, merchant, shop_id, supplier_id, reason="换供应商")
    else:
        response = _unbind_by_supplier(client, owner, supplier_id, shop_id, reason="停止合作")
    ended = ok(response)
    assert (ended["status"], ended["ended_by"]) == ("ended", side)
    assert ended["end_reason"] == ("换供应商" if side == "shop" else "停止合作")
    assert ended["ended_at"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M:%S"))
    expected = [(shop_id, supplier_id, "ended")]
    assert _listed(client, merchant, f"/api/v1/shops/{shop_id}/bindings") == expected
    assert _listed(client, owner, f"/api/v1/suppliers/{supplier_id}/bindings") == expected
    assert _listed(client, merchant, f"/api/v1/shops/{shop_id}/bindings", status="active") == []
    assert_problem(_unbind_by_shop(client, merchant, shop_id, supplier_id), 404,
                   "BINDING_NOT_FOUND")
    assert_problem(_unbind_by_supplier(client, owner, supplier_id, shop_id), 404,
                   "BINDING_NOT_FOUND")


def test_unbinding_needs_no_body(client: TestClient) -> None:
    merchant, shop_id, _, supplier_id = factories.bound_pair(client)
    ended = ok(_unbind_by_shop(client, merchant, shop_id, supplier_id))
    assert (ended["status"], ended["end_reason"]) == ("ended", None)


def test_rebinding_after_an_unbind(client: TestClient) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    ok(_unbind_by_shop(client, merchant, shop_id, supplier_id, reason="暂停"))
    application = ok(client.post(f"/api/v1/shops/{shop_id}/binding-applications",
                                 json={"supplier_id": supplier_id}, headers=merchant.headers),
                     201)
    ok(client.post(f"/api/v1/suppliers/{supplier_id}/binding-applications/"
                   f"{application['id']}/approve", headers=owner.headers))
    assert _listed(client, merchant, f"/api/v1/shops/{shop_id}/bindings") == [
        (shop_id, supplier_id, "ended"), (shop_id, supplier_id, "active")]
    assert _listed(client, merchant, f"/api/v1/shops/{shop_id}/bindings", status="active") == [
        (shop_id, supplier_id, "active")]
    ok(_unbind_by_supplier(client, owner, supplier_id, shop_id))
    token = factories.invitation(client, merchant, shop_id)["token"]
    ok(client.post(f"/api/v1/invitations/{token}/accept", json={"supplier_id": supplier_id},
                   headers=owner.headers))
    statuses = [s for _, _, s in _listed(client, owner,
                                         f"/api/v1/suppliers/{supplier_id}/bindings")]
    assert statuses == ["ended", "ended", "active"]


def test_the_timeline_tells_every_change(client: TestClient, clock: FrozenClock) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    clock.advance(timedelta(hours=1))
    ok(_unbind_by_shop(client, merchant, shop_id, supplier_id, reason="换供应商"))
    clock.advance(timedelta(hours=1))
    application = ok(client.post(f"/api/v1/shops/{shop_id}/binding-applications",
                                 json={"supplier_id": supplier_id, "message": "回来吧"},
                                 headers=merchant.headers), 201)
    ok(client.post(f"/api/v1/suppliers/{supplier_id}/binding-applications/"
                   f"{application['id']}/approve", json={"reason": "好"},
                   headers=owner.headers))
    clock.advance(timedelta(hours=1))
    ok(_unbind_by_supplier(client, owner, supplier_id, shop_id, reason="缺货"))
    for url, who in ((f"/api/v1/shops/{shop_id}/bindings/{supplier_id}/timeline", merchant),
                     (f"/api/v1/suppliers/{supplier_id}/bindings/{shop_id}/timeline", owner)):
        items = ok(client.get(url, headers=who.headers))["items"]
        story = [(e["type"], e["actor"], e["from_status"], e["to_status"], e["reason"])
                 for e in items]
        assert story == [
            ("invitation.created", merchant.login, None, "active", None),
            ("binding.created", owner.login, None, "active", None),
            ("invitation.accepted", owner.login, None, None, None),
            ("invitation.use_up", owner.login, "active", "used_up", None),
            ("binding.end", merchant.login, "active", "ended", "换供应商"),
            ("binding_application.created", merchant.login, None, "pending", "回来吧"),
            ("binding_application.approve", owner.login, "pending", "approved", "好"),
            ("binding.created", owner.login, None, "active", None),
            ("binding.end", owner.login, "active", "ended", "缺货"),
        ]
        times = [e["at"] for e in items]
        assert times == sorted(times)
        assert items[4]["data"] == {"ended_by": "shop"}


def test_no_timeline_for_a_pair_never_bound(client: TestClient) -> None:
    merchant, shop_id, _, _ = factories.bound_pair(client)
    stranger = factories.person(client)
    other_supplier = factories.supplier(client, stranger)
    assert_problem(client.get(f"/api/v1/shops/{shop_id}/bindings/{other_supplier}/timeline",
                              headers=merchant.headers), 404, "BINDING_NOT_FOUND")


@pytest.mark.parametrize("ref", ["unknown", "SH1234567890", "malformed!"])
def test_unbinding_a_supplier_never_bound_is_404(client: TestClient, ref: str) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    target = {"unknown": "SP" + "ZZZZZZ" + ids.check_char("ZZZZZZ")}.get(ref, ref)
    assert_problem(_unbind_by_shop(client, merchant, shop_id, target), 404, "BINDING_NOT_FOUND")
    assert_problem(_unbind_by_supplier(client, owner, supplier_id, target), 404,
                   "BINDING_NOT_FOUND")


def test_binding_lists_page_with_a_cursor(client: TestClient) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    owner = factories.person(client)
    suppliers = [factories.supplier(client, owner, approve_with=platform) for _ in range(5)]
    token = factories.invitation(client, merchant, shop_id, max_uses=5)["token"]
    for supplier_id in suppliers:
        ok(client.post(f"/api/v1/invitations/{token}/accept", json={"supplier_id": supplier_id},
                       headers=owner.headers))
    url = f"/api/v1/shops/{shop_id}/bindings"
    seen: list[str] = []
    params: dict[str, object] = {"limit": 2}
    pages = 0
    while True:
        page = ok(client.get(url, params=params, headers=merchant.headers))
        pages += 1
        seen += [b["supplier_id"] for b in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert (seen, pages) == (suppliers, 3)
    whole = ok(client.get(url, params={"limit": 5}, headers=merchant.headers))
    assert [b["supplier_id"] for b in whole["items"]] == suppliers
    if whole["next_cursor"] is not None:  # a full page may offer an empty next page
        rest = ok(client.get(url, params={"cursor": whole["next_cursor"]},
                             headers=merchant.headers))
        assert (rest["items"], rest["next_cursor"]) == ([], None)
    default = ok(client.get(url, headers=merchant.headers))
    assert len(default["items"]) == 5 and default["next_cursor"] is None
    for bad in ("garbage", "1.5", "%00"):
        assert_problem(client.get(url, params={"cursor": bad}, headers=merchant.headers), 422,
                       "INVALID_CURSOR")
        assert_problem(client.get(f"/api/v1/suppliers/{suppliers[0]}/bindings",
                                  params={"cursor": bad}, headers=owner.headers), 422,
                       "INVALID_CURSOR")
    for limit in (0, 201):
        assert_problem(client.get(url, params={"limit": limit}, headers=merchant.headers), 422,
                       "VALIDATION_FAILED")


def test_a_shared_invitation_does_not_show_one_supplier_to_another(client: TestClient) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    token = factories.invitation(client, merchant, shop_id, max_uses=2)["token"]
    first_owner, second_owner = factories.person(client), factories.person(client)
    first = factories.supplier(client, first_owner, approve_with=platform)
    second = factories.supplier(client, second_owner, approve_with=platform)
    for owner, supplier_id in ((first_owner, first), (second_owner, second)):
        ok(client.post(f"/api/v1/invitations/{token}/accept", json={"supplier_id": supplier_id},
                       headers=owner.headers))
    seen_by_first = client.get(f"/api/v1/suppliers/{first}/bindings/{shop_id}/timeline",
                               headers=first_owner.headers)
    assert second not in seen_by_first.text and second_owner.login not in seen_by_first.text
    assert [e["type"] for e in ok(seen_by_first)["items"]] == [
        "invitation.created", "binding.created", "invitation.accepted"]
    seen_by_second = ok(client.get(f"/api/v1/suppliers/{second}/bindings/{shop_id}/timeline",
                                   headers=second_owner.headers))
    assert [e["type"] for e in seen_by_second["items"]] == [
        "invitation.created", "binding.created", "invitation.accepted", "invitation.use_up"]
    assert first not in str(seen_by_second) and first_owner.login not in str(seen_by_second)
