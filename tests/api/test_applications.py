"""Binding by application: a shop applies with a Supplier ID, the supplier answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from daifa.kit import ids
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem, ok


@dataclass
class Pair:
    platform: factories.Person
    merchant: factories.Person
    shop_id: str
    owner: factories.Person
    supplier_id: str

    def apply(self, client: TestClient, supplier_ref: str | None = None,
              message: str = "") -> object:
        body = {"supplier_id": supplier_ref or self.supplier_id, "message": message}
        return client.post(f"/api/v1/shops/{self.shop_id}/binding-applications", json=body,
                           headers=self.merchant.headers)

    def answer(self, client: TestClient, application_id: str, action: str,
               reason: str | None = None) -> object:
        return client.post(f"/api/v1/suppliers/{self.supplier_id}/binding-applications/"
                           f"{application_id}/{action}", json={"reason": reason} if reason
                           else None, headers=self.owner.headers)

    def cancel(self, client: TestClient, application_id: str) -> object:
        return client.post(f"/api/v1/shops/{self.shop_id}/binding-applications/"
                           f"{application_id}/cancel", headers=self.merchant.headers)

    def incoming(self, client: TestClient, **params: object) -> list[dict[str, object]]:
        items: list[dict[str, object]] = ok(client.get(
            f"/api/v1/suppliers/{self.supplier_id}/binding-applications", params=params,
            headers=self.owner.headers))["items"]
        return items

    def bindings(self, client: TestClient) -> list[dict[str, object]]:
        items: list[dict[str, object]] = ok(client.get(
            f"/api/v1/shops/{self.shop_id}/bindings", headers=self.merchant.headers))["items"]
        return items


def _pair(client: TestClient, *, active: bool = True) -> Pair:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant, name="小王的好物店")
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform if active else None,
                                     name="义乌小商品批发")
    return Pair(platform, merchant, shop_id, owner, supplier_id)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_an_application_waits_for_the_supplier(client: TestClient, clock: FrozenClock,
                                               settings: Settings) -> None:
    pair = _pair(client)
    body = ok(pair.apply(client, message=" 你好，想代发你家的小商品 "), 201)
    assert uuid.UUID(body["id"])
    assert {k: body[k] for k in ("shop_id", "supplier_id", "status", "message", "shop_name",
                                 "supplier_name")} == {
        "shop_id": pair.shop_id, "supplier_id": pair.supplier_id, "status": "pending",
        "message": "你好，想代发你家的小商品", "shop_name": "小王的好物店",
        "supplier_name": "义乌小商品批发"}
    assert _at(body["expires_at"]) == clock.now() + timedelta(days=settings.application_ttl_days)
    assert [a["id"] for a in pair.incoming(client)] == [body["id"]]
    outgoing = ok(client.get(f"/api/v1/shops/{pair.shop_id}/binding-applications",
                             headers=pair.merchant.headers))["items"]
    assert [a["id"] for a in outgoing] == [body["id"]]


def test_a_typed_supplier_id_is_normalised(client: TestClient) -> None:
    pair = _pair(client)
    typed = " " + pair.supplier_id[:5].lower() + "-" + pair.supplier_id[5:] + " "
    assert ok(pair.apply(client, typed), 201)["supplier_id"] == pair.supplier_id


def test_a_shop_id_where_a_supplier_id_belongs(client: TestClient) -> None:
    pair = _pair(client)
    problem = assert_problem(pair.apply(client, pair.shop_id), 422, "NOT_A_SUPPLIER_ID")
    assert "Shop ID" in problem["detail"] and "SP" in problem["detail"]


def test_a_mistyped_supplier_id(client: TestClient) -> None:
    pair = _pair(client)
    sid = pair.supplier_id
    swapped = sid[:3] + sid[4] + sid[3] + sid[5:] if sid[3] != sid[4] else sid[:3] + "Z" + sid[4:]
    problem = assert_problem(pair.apply(client, swapped), 422, "INVALID_SUPPLIER_ID")
    assert "typo" in problem["detail"]


def test_a_well_formed_unknown_supplier_id(client: TestClient) -> None:
    pair = _pair(client)
    assert_problem(pair.apply(client, "SP" + "ZZZZZZ" + ids.check_char("ZZZZZZ")), 404,
                   "SUPPLIER_NOT_FOUND")


@pytest.mark.parametrize("path", [[], ["reject"], ["approve", "suspend"]],
                         ids=["pending", "rejected", "suspended"])
def test_a_supplier_that_is_not_active(client: TestClient, path: list[str]) -> None:
    pair = _pair(client, active=False)
    for action in path:
        factories.review(client, pair.platform, pair.supplier_id, action)
    assert_problem(pair.apply(client), 409, "SUPPLIER_NOT_ACTIVE")


def test_applying_to_a_bound_supplier(client: TestClient) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    ok(pair.answer(client, application["id"], "approve"))
    assert_problem(pair.apply(client), 409, "ALREADY_BOUND")


def test_one_pending_application_per_pair(client: TestClient) -> None:
    pair = _pair(client)
    first = ok(pair.apply(client), 201)
    assert_problem(pair.apply(client), 409, "APPLICATION_PENDING")
    ok(pair.cancel(client, first["id"]))
    second = ok(pair.apply(client), 201)
    ok(pair.answer(client, second["id"], "reject"))
    ok(pair.apply(client), 201)


def test_at_most_so_many_pending_applications_per_shop(client: TestClient,
                                                       settings: Settings,
                                                       clock: FrozenClock) -> None:
    pair = _pair(client)
    limit = settings.max_pending_applications
    applied = [ok(pair.apply(client, factories.supplier(client, pair.owner,
                                                        approve_with=pair.platform)), 201)
               for _ in range(limit)]
    extra = factories.supplier(client, pair.owner, approve_with=pair.platform)
    problem = assert_problem(pair.apply(client, extra), 409, "TOO_MANY_PENDING_APPLICATIONS")
    assert str(limit) in problem["detail"]
    other_shop = factories.shop(client, pair.merchant)
    ok(client.post(f"/api/v1/shops/{other_shop}/binding-applications",
                   json={"supplier_id": extra}, headers=pair.merchant.headers), 201)
    ok(pair.cancel(client, applied[0]["id"]))
    ok(pair.apply(client, extra), 201)
    assert_problem(pair.apply(client), 409, "TOO_MANY_PENDING_APPLICATIONS")
    clock.advance(timedelta(days=settings.application_ttl_days))  # all of them expire
    ok(pair.apply(client), 201)


def test_approving_binds_the_pair(client: TestClient, clock: FrozenClock) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    clock.advance(timedelta(hours=3))
    approved = ok(pair.answer(client, application["id"], "approve", reason="欢迎"))
    assert (approved["status"], approved["decision_reason"]) == ("approved", "欢迎")
    assert _at(approved["decided_at"]) == clock.now()
    [binding] = pair.bindings(client)
    assert (binding["supplier_id"], binding["status"], binding["created_via"]) == (
        pair.supplier_id, "active", "application")
    assert [a["status"] for a in pair.incoming(client)] == ["approved"]


def test_rejecting_leaves_the_pair_unbound(client: TestClient) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    rejected = ok(pair.answer(client, application["id"], "reject", reason="不做代发"))
    assert (rejected["status"], rejected["decision_reason"]) == ("rejected", "不做代发")
    assert pair.bindings(client) == []


def test_the_shop_can_cancel_its_application(client: TestClient) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    assert ok(pair.cancel(client, application["id"]))["status"] == "cancelled"
    problem = assert_problem(pair.answer(client, application["id"], "approve"), 409,
                             "INVALID_TRANSITION")
    assert problem["current_status"] == "cancelled"
    assert pair.bindings(client) == []


@pytest.mark.parametrize(("first", "then"), [
    ("approve", "approve"), ("approve", "reject"), ("approve", "cancel"),
    ("reject", "approve"), ("reject", "reject"), ("reject", "cancel"),
    ("cancel", "approve"), ("cancel", "reject"), ("cancel", "cancel"),
])
def test_an_answered_application_stays_answered(client: TestClient, first: str,
                                                then: str) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)

    def act(action: str) -> object:
        if action == "cancel":
            return pair.cancel(client, application["id"])
        return pair.answer(client, application["id"], action)

    final = ok(act(first))["status"]
    problem = assert_problem(act(then), 409, "INVALID_TRANSITION")
    assert problem["current_status"] == final


@pytest.mark.parametrize("action", ["approve", "reject", "cancel"])
def test_an_expired_application_cannot_be_answered(client: TestClient, clock: FrozenClock,
                                                   settings: Settings, action: str) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    clock.advance(timedelta(days=settings.application_ttl_days))
    act = (lambda: pair.cancel(client, application["id"])) if action == "cancel" else (
        lambda: pair.answer(client, application["id"], action))
    assert_problem(act(), 409, "APPLICATION_EXPIRED")
    assert [a["status"] for a in pair.incoming(client)] == ["expired"]
    assert_problem(act(), 409, "APPLICATION_EXPIRED")
    assert pair.bindings(client) == []


def test_an_application_can_be_answered_until_its_last_second(client: TestClient,
                                                              clock: FrozenClock,
                                                              settings: Settings) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    clock.advance(timedelta(days=settings.application_ttl_days) - timedelta(seconds=1))
    ok(pair.answer(client, application["id"], "approve"))


def test_approving_when_the_supplier_was_suspended_meanwhile(client: TestClient) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    factories.review(client, pair.platform, pair.supplier_id, "suspend")
    assert_problem(pair.answer(client, application["id"], "approve"), 409, "SUPPLIER_NOT_ACTIVE")
    assert [a["status"] for a in pair.incoming(client)] == ["pending"]


def test_approving_when_bound_by_invitation_meanwhile(client: TestClient) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    token = factories.invitation(client, pair.merchant, pair.shop_id)["token"]
    ok(client.post(f"/api/v1/invitations/{token}/accept", json={"supplier_id": pair.supplier_id},
                   headers=pair.owner.headers))
    # The invitation closed the open application, so there is nothing left to approve.
    assert_problem(pair.answer(client, application["id"], "approve"), 409, "INVALID_TRANSITION")
    assert [(a["status"], a["decision_reason"]) for a in pair.incoming(client)] == [
        ("cancelled", "bound by invitation")]
    assert len(pair.bindings(client)) == 1


@pytest.mark.parametrize("application_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
def test_an_unknown_application_is_404(client: TestClient, application_id: str) -> None:
    pair = _pair(client)
    ok(pair.apply(client), 201)
    assert_problem(pair.answer(client, application_id, "approve"), 404, "APPLICATION_NOT_FOUND")
    assert_problem(pair.cancel(client, application_id), 404, "APPLICATION_NOT_FOUND")


def test_a_supplier_cannot_answer_an_application_to_another_supplier(client: TestClient) -> None:
    pair = _pair(client)
    application = ok(pair.apply(client), 201)
    own_other = factories.supplier(client, pair.owner, approve_with=pair.platform)
    response = client.post(f"/api/v1/suppliers/{own_other}/binding-applications/"
                           f"{application['id']}/approve", headers=pair.owner.headers)
    assert_problem(response, 404, "APPLICATION_NOT_FOUND")
    other_shop = factories.shop(client, pair.merchant)
    assert_problem(client.post(f"/api/v1/shops/{other_shop}/binding-applications/"
                               f"{application['id']}/cancel", headers=pair.merchant.headers),
                   404, "APPLICATION_NOT_FOUND")


def test_the_lists_filter_by_status_and_page_with_a_cursor(client: TestClient) -> None:
    pair = _pair(client)
    made = []
    for _ in range(5):
        supplier_id = factories.supplier(client, pair.owner, approve_with=pair.platform)
        made.append(ok(pair.apply(client, supplier_id), 201)["id"])
    ok(client.post(f"/api/v1/shops/{pair.shop_id}/binding-applications/{made[1]}/cancel",
                   headers=pair.merchant.headers))
    url = f"/api/v1/shops/{pair.shop_id}/binding-applications"
    pending = ok(client.get(url, params={"status": "pending"}, headers=pair.merchant.headers))
    assert [a["id"] for a in pending["items"]] == made[:1] + made[2:]
    seen: list[str] = []
    params: dict[str, object] = {"limit": 2}
    for _ in range(5):
        page = ok(client.get(url, params=params, headers=pair.merchant.headers))
        assert len(page["items"]) <= 2
        seen += [a["id"] for a in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == made
    for bad in ("garbage", "-1", "9" * 40):
        assert_problem(client.get(url, params={"cursor": bad}, headers=pair.merchant.headers),
                       422, "INVALID_CURSOR")
    for limit in (0, 201, "ten"):
        assert_problem(client.get(url, params={"limit": limit}, headers=pair.merchant.headers),
                       422, "VALIDATION_FAILED")
    assert_problem(client.get(url, params={"status": "maybe"}, headers=pair.merchant.headers),
                   422, "VALIDATION_FAILED")



def test_an_overdue_application_reads_as_expired_before_any_sweep(
        client: TestClient, clock: FrozenClock, settings: Settings) -> None:
    pair = _pair(client)
    overdue = ok(pair.apply(client), 201)["id"]
    clock.advance(timedelta(days=1))
    other = factories.supplier(client, pair.owner, approve_with=pair.platform)
    fresh = ok(pair.apply(client, other), 201)["id"]
    clock.advance(timedelta(days=settings.application_ttl_days - 1))
    url = f"/api/v1/shops/{pair.shop_id}/binding-applications"

    def listed(**params: str) -> list[tuple[str, str]]:
        items = ok(client.get(url, params=params, headers=pair.merchant.headers))["items"]
        return [(a["id"], a["status"]) for a in items]

    assert listed() == [(overdue, "expired"), (fresh, "pending")]
    assert listed(status="pending") == [(fresh, "pending")]
    assert listed(status="expired") == [(overdue, "expired")]
    assert [a["status"] for a in pair.incoming(client)] == ["expired"]
    clock.advance(timedelta(days=1))
    assert listed(status="pending") == []
    assert listed(status="expired") == [(overdue, "expired"), (fresh, "expired")]

