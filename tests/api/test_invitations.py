"""Binding by invitation: a link and QR code, expiring, use-limited, revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit import ids
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem, ok


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _world(client: TestClient) -> tuple[factories.Person, factories.Person, str,
                                        factories.Person]:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant, name="小王的好物店")
    return platform, merchant, shop_id, factories.person(client)


def _accept(client: TestClient, who: factories.Person, token: str, supplier_id: str) -> object:
    return client.post(f"/api/v1/invitations/{token}/accept", json={"supplier_id": supplier_id},
                       headers=who.headers)


def _public(client: TestClient, token: str) -> dict[str, object]:
    body: dict[str, object] = ok(client.get(f"/api/v1/invitations/{token}"))
    return body


def test_an_invitation_has_a_link_a_qr_code_and_defaults(client: TestClient,
                                                         clock: FrozenClock) -> None:
    _, merchant, shop_id, _ = _world(client)
    created = factories.invitation(client, merchant, shop_id)
    token = created["token"]
    assert len(token) >= 22  # ≥ 128 random bits in URL-safe base64
    assert created["url"] == f"http://testserver/invite/{token}"
    assert created["qr_svg_url"] == f"http://testserver/api/v1/invitations/{token}/qr.svg"
    assert created["qr_png_url"] == f"http://testserver/api/v1/invitations/{token}/qr.png"
    assert _at(created["expires_at"]) == clock.now() + timedelta(hours=168)
    assert (created["status"], created["uses"], created["max_uses"]) == ("active", 0, 1)
    assert created["shop_id"] == shop_id and created["hint"] == token[:6]
    assert _public(client, token) == {"shop_id": shop_id, "shop_name": "小王的好物店",
                                      "status": "active", "expires_at": created["expires_at"]}


def test_an_invitation_takes_its_own_lifetime_and_uses(client: TestClient,
                                                       clock: FrozenClock) -> None:
    _, merchant, shop_id, _ = _world(client)
    created = factories.invitation(client, merchant, shop_id, expires_in_hours=2, max_uses=3)
    assert _at(created["expires_at"]) == clock.now() + timedelta(hours=2)
    assert created["max_uses"] == 3


@pytest.mark.parametrize("body", [{"expires_in_hours": 0}, {"max_uses": 0},
                                  {"expires_in_hours": 721}, {"max_uses": "many"}])
def test_invitation_limits_are_validated(client: TestClient, body: dict[str, object]) -> None:
    _, merchant, shop_id, _ = _world(client)
    assert_problem(client.post(f"/api/v1/shops/{shop_id}/invitations", json=body,
                               headers=merchant.headers), 422, "VALIDATION_FAILED")


def test_tokens_are_unique_and_listed_without_the_secret(client: TestClient) -> None:
    _, merchant, shop_id, _ = _world(client)
    made = [factories.invitation(client, merchant, shop_id) for _ in range(3)]
    assert len({m["token"] for m in made}) == 3
    listed = ok(client.get(f"/api/v1/shops/{shop_id}/invitations", headers=merchant.headers))
    assert [i["id"] for i in listed["items"]] == [m["id"] for m in reversed(made)]
    assert all("token" not in i and "url" not in i for i in listed["items"])


@pytest.mark.parametrize(("suffix", "media_type", "magic"), [
    ("qr.svg", "image/svg+xml", b"<?xml"), ("qr.png", "image/png", b"\x89PNG\r\n\x1a\n")])
def test_qr_codes_for_anyone_holding_the_token(client: TestClient, suffix: str,
                                               media_type: str, magic: bytes) -> None:
    _, merchant, shop_id, _ = _world(client)
    first = factories.invitation(client, merchant, shop_id)["token"]
    second = factories.invitation(client, merchant, shop_id)["token"]
    response = client.get(f"/api/v1/invitations/{first}/{suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content.startswith(magic)
    assert client.get(f"/api/v1/invitations/{second}/{suffix}").content != response.content
    if suffix == "qr.svg":
        assert b"<svg" in response.content
    assert_problem(client.get(f"/api/v1/invitations/{ids.new_token('')}/{suffix}"), 404,
                   "INVITATION_NOT_FOUND")


def test_an_unknown_invitation_is_404(client: TestClient) -> None:
    _, _, _, owner = _world(client)
    token = ids.new_token("")
    assert_problem(client.get(f"/api/v1/invitations/{token}"), 404, "INVITATION_NOT_FOUND")
    assert_problem(_accept(client, owner, token, "SP2345678"), 404, "INVITATION_NOT_FOUND")


def test_accepting_binds_and_uses_up_a_single_use_link(client: TestClient,
                                                       clock: FrozenClock) -> None:
    platform, merchant, shop_id, owner = _world(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    token = factories.invitation(client, merchant, shop_id)["token"]
    binding = ok(_accept(client, owner, token, supplier_id.lower()))
    assert {k: binding[k] for k in ("shop_id", "supplier_id", "status", "created_via")} == {
        "shop_id": shop_id, "supplier_id": supplier_id, "status": "active",
        "created_via": "invitation"}
    assert _at(binding["created_at"]) == clock.now()
    assert _public(client, token)["status"] == "used_up"
    listed = ok(client.get(f"/api/v1/shops/{shop_id}/invitations", headers=merchant.headers))
    assert (listed["items"][0]["uses"], listed["items"][0]["status"]) == (1, "used_up")
    late = factories.person(client)
    late_supplier = factories.supplier(client, late, approve_with=platform)
    assert_problem(_accept(client, late, token, late_supplier), 409, "INVITATION_USED_UP")


def test_max_uses_two_lets_two_suppliers_bind(client: TestClient) -> None:
    platform, merchant, shop_id, _ = _world(client)
    token = factories.invitation(client, merchant, shop_id, max_uses=2)["token"]
    bound = []
    for _ in range(2):
        owner = factories.person(client)
        supplier_id = factories.supplier(client, owner, approve_with=platform)
        ok(_accept(client, owner, token, supplier_id))
        bound.append(supplier_id)
        assert _public(client, token)["status"] == ("active" if len(bound) == 1 else "used_up")
    third = factories.person(client)
    assert_problem(_accept(client, third, token,
                           factories.supplier(client, third, approve_with=platform)),
                   409, "INVITATION_USED_UP")
    listed = ok(client.get(f"/api/v1/shops/{shop_id}/bindings", headers=merchant.headers))
    assert sorted(b["supplier_id"] for b in listed["items"]) == sorted(bound)


def test_an_expired_invitation_cannot_be_accepted(client: TestClient,
                                                  clock: FrozenClock) -> None:
    platform, merchant, shop_id, owner = _world(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    token = factories.invitation(client, merchant, shop_id, expires_in_hours=1)["token"]
    clock.advance(timedelta(hours=1))
    assert _public(client, token)["status"] == "expired"
    assert_problem(_accept(client, owner, token, supplier_id), 409, "INVITATION_EXPIRED")
    assert_problem(client.delete(f"/api/v1/shops/{shop_id}/invitations/{token}",
                                 headers=merchant.headers), 409, "INVITATION_EXPIRED")


def test_an_invitation_works_until_its_last_second(client: TestClient,
                                                   clock: FrozenClock) -> None:
    platform, merchant, shop_id, owner = _world(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    token = factories.invitation(client, merchant, shop_id, expires_in_hours=1)["token"]
    clock.advance(timedelta(hours=1) - timedelta(seconds=1))
    ok(_accept(client, owner, token, supplier_id))


def test_a_revoked_invitation_cannot_be_accepted(client: TestClient) -> None:
    platform, merchant, shop_id, owner = _world(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    token = factories.invitation(client, merchant, shop_id)["token"]
    revoked = ok(client.delete(f"/api/v1/shops/{shop_id}/invitations/{token}",
                               headers=merchant.headers))
    assert revoked["status"] == "revoked"
    assert _public(client, token)["status"] == "revoked"
    assert_problem(_accept(client, owner, token, supplier_id), 409, "INVITATION_REVOKED")
    assert_problem(client.delete(f"/api/v1/shops/{shop_id}/invitations/{token}",
                                 headers=merchant.headers), 409, "INVALID_TRANSITION")


def test_a_used_up_invitation_cannot_be_revoked(client: TestClient) -> None:
    platform, merchant, shop_id, owner = _world(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    token = factories.invitation(client, merchant, shop_id)["token"]
    ok(_accept(client, owner, token, supplier_id))
    problem = assert_problem(client.delete(f"/api/v1/shops/{shop_id}/invitations/{token}",
                                           headers=merchant.headers), 409, "INVALID_TRANSITION")
    assert problem["current_status"] == "used_up"


def test_revoking_an_unknown_token_is_404(client: TestClient) -> None:
    _, merchant, shop_id, _ = _world(client)
    assert_problem(client.delete(f"/api/v1/shops/{shop_id}/invitations/{ids.new_token('')}",
                                 headers=merchant.headers), 404, "INVITATION_NOT_FOUND")


def test_a_shop_cannot_revoke_another_shops_invitation(client: TestClient) -> None:
    _, merchant, shop_id, _ = _world(client)
    own_shop = factories.shop(client, merchant)
    token = factories.invitation(client, merchant, shop_id)["token"]
    assert_problem(client.delete(f"/api/v1/shops/{own_shop}/invitations/{token}",
                                 headers=merchant.headers), 404, "INVITATION_NOT_FOUND")
    assert _public(client, token)["status"] == "active"


def test_accepting_needs_a_signed_in_supplier_and_a_body(client: TestClient) -> None:
    _, merchant, shop_id, owner = _world(client)
    token = factories.invitation(client, merchant, shop_id)["token"]
    assert_problem(client.post(f"/api/v1/invitations/{token}/accept",
                               json={"supplier_id": "SP2345678"}), 401, "UNAUTHENTICATED")
    assert_problem(client.post(f"/api/v1/invitations/{token}/accept", headers=owner.headers),
                   422, "VALIDATION_FAILED")


def _refused(client: TestClient, who: factories.Person, token: str, supplier_ref: str,
             status: int, code: str) -> None:
    assert_problem(_accept(client, who, token, supplier_ref), status, code)
    assert _public(client, token)["status"] == "active"


def test_accepting_with_a_bad_supplier_id_spends_no_use(client: TestClient) -> None:
    platform, merchant, shop_id, owner = _world(client)
    token = factories.invitation(client, merchant, shop_id)["token"]
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    typo = supplier_id[:4] + ("Z" if supplier_id[4] != "Z" else "Y") + supplier_id[5:]
    _refused(client, owner, token, shop_id, 422, "NOT_A_SUPPLIER_ID")
    _refused(client, owner, token, typo, 422, "INVALID_SUPPLIER_ID")
    _refused(client, owner, token, "SP" + "ZZZZZZ" + ids.check_char("ZZZZZZ"), 404,
             "SUPPLIER_NOT_FOUND")
    stranger = factories.person(client)
    _refused(client, stranger, token, supplier_id, 404, "SUPPLIER_NOT_FOUND")
    ok(_accept(client, owner, token, supplier_id))


@pytest.mark.parametrize("path", [[], ["reject"], ["approve", "suspend"]],
                         ids=["pending", "rejected", "suspended"])
def test_a_supplier_that_is_not_active_cannot_accept(client: TestClient,
                                                     path: list[str]) -> None:
    platform, merchant, shop_id, owner = _world(client)
    token = factories.invitation(client, merchant, shop_id)["token"]
    supplier_id = factories.supplier(client, owner)
    for action in path:
        factories.review(client, platform, supplier_id, action)
    _refused(client, owner, token, supplier_id, 409, "SUPPLIER_NOT_ACTIVE")


def test_an_already_bound_supplier_spends_no_use(client: TestClient) -> None:
    platform, merchant, shop_id, owner = _world(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    ok(_accept(client, owner, factories.invitation(client, merchant, shop_id)["token"],
               supplier_id))
    token = factories.invitation(client, merchant, shop_id)["token"]
    _refused(client, owner, token, supplier_id, 409, "ALREADY_BOUND")


@pytest.mark.parametrize("body", [None, {}, {"max_uses": 2}], ids=["no-body", "empty", "uses"])
def test_the_default_lifetime_comes_from_the_settings(settings: Settings, db: Database,
                                                      clock: FrozenClock,
                                                      body: dict[str, object] | None) -> None:
    shorter = create_app(settings.model_copy(update={"invitation_default_hours": 48}),
                         clock=clock, database=db)
    with TestClient(shorter) as client:
        _, merchant, shop_id, _ = _world(client)
        created = ok(client.post(f"/api/v1/shops/{shop_id}/invitations", json=body,
                                 headers=merchant.headers), 201)
        assert _at(created["expires_at"]) == clock.now() + timedelta(hours=48)
        explicit = factories.invitation(client, merchant, shop_id, expires_in_hours=168)
        assert _at(explicit["expires_at"]) == clock.now() + timedelta(hours=168)
