"""Supplier onboarding, the public profile, and the platform's review."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from daifa.kit import ids
from tests import factories
from tests.api.support import assert_problem, ok

UNKNOWN_SUPPLIER = "SP" + "ZZZZZZ" + ids.check_char("ZZZZZZ")


def _onboard(client: TestClient, owner: factories.Person, **fields: object) -> object:
    body = {"name": "杭州好物供应链", "contact_phone": "138 1234 5678", "contact_name": "陈经理",
            "region": "浙江省 杭州市"}
    body.update(fields)
    return client.post("/api/v1/suppliers", json=body, headers=owner.headers)


def test_onboarding_gives_a_pending_supplier_with_a_supplier_id(client: TestClient) -> None:
    owner = factories.person(client)
    body = ok(_onboard(client, owner), 201)
    assert ids.is_valid_supplier_id(body["supplier_id"])
    assert body["supplier_id"].startswith("SP") and len(body["supplier_id"]) == 9
    assert body["status"] == "pending"
    assert body["contact_phone"] == "+8613812345678"
    assert (body["name"], body["contact_name"], body["region"]) == (
        "杭州好物供应链", "陈经理", "浙江省 杭州市")
    assert body["reviewed_at"] is None


def test_one_account_may_own_several_suppliers_and_shops(client: TestClient) -> None:
    owner = factories.person(client)
    first = ok(_onboard(client, owner), 201)["supplier_id"]
    second = ok(_onboard(client, owner, name="二号仓"), 201)["supplier_id"]
    shop_id = factories.shop(client, owner)
    assert first != second
    assert ids.classify(shop_id) is ids.IdKind.SHOP


@pytest.mark.parametrize("phone", ["12", "not a phone", "+1 555 0100", "1381234567"])
def test_onboarding_refuses_a_bad_phone(client: TestClient, phone: str) -> None:
    owner = factories.person(client)
    assert_problem(_onboard(client, owner, contact_phone=phone), 422,
                   "INVALID_PHONE" if len(phone) >= 3 else "VALIDATION_FAILED")


@pytest.mark.parametrize("fields", [{"name": ""}, {"name": " \t "}, {"name": "x" * 121},
                                    {"contact_phone": None},
                                    {"region": "x" * 81}])
def test_onboarding_validates_its_body(client: TestClient, fields: dict[str, object]) -> None:
    owner = factories.person(client)
    assert_problem(_onboard(client, owner, **fields), 422, "VALIDATION_FAILED")


def test_onboarding_needs_a_signed_in_person(client: TestClient) -> None:
    assert_problem(client.post("/api/v1/suppliers", json={"name": "x",
                                                          "contact_phone": "13812345678"}),
                   401, "UNAUTHENTICATED")


def test_strangers_see_the_public_profile_only(client: TestClient) -> None:
    owner = factories.person(client)
    stranger = factories.person(client)
    platform = factories.admin(client)
    supplier_id = factories.supplier(client, owner)
    public = ok(client.get(f"/api/v1/suppliers/{supplier_id}", headers=stranger.headers))
    assert set(public) == {"supplier_id", "name", "region", "status", "stars"}
    assert public["status"] == "pending"
    for viewer in (owner, platform):
        private = ok(client.get(f"/api/v1/suppliers/{supplier_id}", headers=viewer.headers))
        assert private["contact_phone"] == "+8613812345678"
        assert "review_note" in private
    assert_problem(client.get(f"/api/v1/suppliers/{supplier_id}"), 401, "UNAUTHENTICATED")


def test_the_profile_reads_a_lowercase_id(client: TestClient) -> None:
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    body = ok(client.get(f"/api/v1/suppliers/{supplier_id.lower()}", headers=owner.headers))
    assert body["supplier_id"] == supplier_id


@pytest.mark.parametrize("path_id", [UNKNOWN_SUPPLIER, "SP1234", "SH1234567890", "nonsense"])
def test_an_unknown_or_malformed_profile_is_404(client: TestClient, path_id: str) -> None:
    someone = factories.person(client)
    assert_problem(client.get(f"/api/v1/suppliers/{path_id}", headers=someone.headers), 404,
                   "SUPPLIER_NOT_FOUND")


def _review(client: TestClient, who: factories.Person, supplier_id: str, action: str,
            reason: str | None = None) -> object:
    body = {"reason": reason} if reason else None
    return client.post(f"/api/v1/admin/suppliers/{supplier_id}/{action}", json=body,
                       headers=who.headers)


@pytest.mark.parametrize(("path", "final"), [
    (["approve"], "active"),
    (["reject"], "rejected"),
    (["approve", "suspend"], "suspended"),
    (["approve", "suspend", "reinstate"], "active"),
    (["approve", "suspend", "reinstate", "suspend"], "suspended"),
])
def test_review_moves(client: TestClient, path: list[str], final: str) -> None:
    platform = factories.admin(client)
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    for action in path:
        body = ok(_review(client, platform, supplier_id, action, reason=f"{action} it"))
    assert body["status"] == final
    assert body["review_note"] == f"{path[-1]} it"
    assert body["reviewed_at"] is not None


@pytest.mark.parametrize(("path", "illegal"), [
    ([], "suspend"), ([], "reinstate"),
    (["approve"], "approve"), (["approve"], "reject"), (["approve"], "reinstate"),
    (["reject"], "approve"), (["reject"], "reject"), (["reject"], "suspend"),
    (["reject"], "reinstate"),
    (["approve", "suspend"], "suspend"), (["approve", "suspend"], "approve"),
    (["approve", "suspend"], "reject"),
])
def test_illegal_review_moves_are_409(client: TestClient, path: list[str], illegal: str) -> None:
    platform = factories.admin(client)
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    for action in path:
        before = ok(_review(client, platform, supplier_id, action))
    problem = assert_problem(_review(client, platform, supplier_id, illegal), 409,
                             "INVALID_TRANSITION")
    expected = before["status"] if path else "pending"
    assert problem["current_status"] == expected
    after = ok(client.get(f"/api/v1/suppliers/{supplier_id}", headers=platform.headers))
    assert after["status"] == expected


def test_review_is_for_admins_only(client: TestClient) -> None:
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    for action in ("approve", "reject", "suspend", "reinstate"):
        assert_problem(_review(client, owner, supplier_id, action), 403, "FORBIDDEN")
    assert_problem(client.get("/api/v1/admin/suppliers", headers=owner.headers), 403,
                   "FORBIDDEN")
    assert_problem(client.post(f"/api/v1/admin/suppliers/{supplier_id}/approve"), 401,
                   "UNAUTHENTICATED")
    body = ok(client.get(f"/api/v1/suppliers/{supplier_id}", headers=owner.headers))
    assert body["status"] == "pending"


def test_review_of_an_unknown_supplier_is_404(client: TestClient) -> None:
    platform = factories.admin(client)
    assert_problem(_review(client, platform, UNKNOWN_SUPPLIER, "approve"), 404,
                   "SUPPLIER_NOT_FOUND")
    assert_problem(_review(client, platform, "SPnonsense", "approve"), 404, "SUPPLIER_NOT_FOUND")


def test_an_unknown_review_action_is_a_validation_problem(client: TestClient) -> None:
    platform = factories.admin(client)
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    assert_problem(_review(client, platform, supplier_id, "delete"), 422, "VALIDATION_FAILED")


def test_review_is_on_the_suppliers_timeline(client: TestClient) -> None:
    from daifa.audit import service as audit
    from daifa.context import Actor, Ctx
    from daifa.fulfilment.reactions import REACTIONS

    platform = factories.admin(client)
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner)
    ok(_review(client, platform, supplier_id, "approve", reason="documents checked"))
    ok(_review(client, platform, supplier_id, "suspend", reason="complaints"))
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work(write=False) as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system(), settings=hub.settings, clock=hub.clock)
        events = audit.timeline(ctx, [("supplier", supplier_id)])
    assert [(e.type, e.actor, e.from_status, e.to_status, e.reason) for e in events] == [
        ("supplier.onboarded", owner.login, None, "pending", None),
        ("supplier.approve", platform.login, "pending", "active", "documents checked"),
        ("supplier.suspend", platform.login, "active", "suspended", "complaints"),
    ]


def test_admins_list_suppliers_by_status_with_a_cursor(client: TestClient) -> None:
    platform = factories.admin(client)
    owner = factories.person(client)
    made = [factories.supplier(client, owner) for _ in range(5)]
    ok(_review(client, platform, made[0], "approve"))
    pending = ok(client.get("/api/v1/admin/suppliers", params={"status": "pending"},
                            headers=platform.headers))
    assert [s["supplier_id"] for s in pending["items"]] == made[1:]
    assert pending["items"][0]["contact_phone"] == "+8613812345678"
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, object] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = ok(client.get("/api/v1/admin/suppliers", params=params, headers=platform.headers))
        seen += [s["supplier_id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    assert_problem(client.get("/api/v1/admin/suppliers", params={"status": "sleeping"},
                              headers=platform.headers), 422, "VALIDATION_FAILED")
    assert_problem(client.get("/api/v1/admin/suppliers", params={"cursor": "zz"},
                              headers=platform.headers), 422, "INVALID_CURSOR")
