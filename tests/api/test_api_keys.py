"""API keys: shown once, stored hashed, speak for one organisation, never manage credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.db.uow import Database
from daifa.identity.models import AccessToken
from daifa.kit.clock import FrozenClock
from daifa.kit.ids import token_digest
from tests import factories
from tests.api.support import assert_problem, ok

ORGS = ["shops", "suppliers"]


def _org(client: TestClient, owner: factories.Person, kind: str) -> str:
    return factories.shop(client, owner) if kind == "shops" else factories.supplier(client, owner)


def _create_key(client: TestClient, owner: factories.Person, kind: str, org: str,
                name: str | None = None) -> dict[str, object]:
    body = {"name": name} if name else None
    created: dict[str, object] = ok(client.post(f"/api/v1/{kind}/{org}/api-keys", json=body,
                                                headers=owner.headers), 201)
    return created


@pytest.mark.parametrize("kind", ORGS)
def test_a_key_is_shown_once_and_stored_as_a_digest(client: TestClient, db: Database,
                                                    kind: str) -> None:
    owner = factories.person(client)
    org = _org(client, owner, kind)
    created = _create_key(client, owner, kind, org, name="ERP sync")
    key = str(created["key"])
    assert key.startswith("dfk_") and len(key) >= 36
    assert created["hint"] == key[:8] and created["name"] == "ERP sync"
    assert created["revoked_at"] is None and created["last_used_at"] is None
    listed = ok(client.get(f"/api/v1/{kind}/{org}/api-keys", headers=owner.headers))["items"]
    assert [(k["id"], k["name"]) for k in listed] == [(created["id"], "ERP sync")]
    assert "key" not in listed[0]
    with db.unit_of_work(write=False) as session:
        stored = session.scalars(select(AccessToken.digest)
                                 .where(AccessToken.kind == "api_key")).all()
    assert stored == [token_digest(key)]


def test_a_key_has_a_default_name(client: TestClient) -> None:
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    assert _create_key(client, owner, "shops", shop_id)["name"] == "API key"


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_key_name_is_validated(client: TestClient, name: str) -> None:
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    assert_problem(client.post(f"/api/v1/shops/{shop_id}/api-keys", json={"name": name},
                               headers=owner.headers), 422, "VALIDATION_FAILED")


def test_a_shop_key_acts_for_its_shop_only(client: TestClient) -> None:
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    other_shop = factories.shop(client, owner)
    own_supplier = factories.supplier(client, owner)
    key = factories.auth(str(_create_key(client, owner, "shops", shop_id)["key"]))
    assert ok(client.get(f"/api/v1/shops/{shop_id}", headers=key))["shop_id"] == shop_id
    ok(client.get(f"/api/v1/shops/{shop_id}/bindings", headers=key))
    ok(client.post(f"/api/v1/shops/{shop_id}/invitations", headers=key), 201)
    assert_problem(client.get(f"/api/v1/shops/{other_shop}", headers=key), 404, "SHOP_NOT_FOUND")
    assert_problem(client.get(f"/api/v1/suppliers/{own_supplier}/bindings", headers=key), 404,
                   "SUPPLIER_NOT_FOUND")
    me = ok(client.get("/api/v1/auth/me", headers=key))
    assert [s["shop_id"] for s in me["shops"]] == [shop_id]
    assert me["suppliers"] == []


def test_a_supplier_key_acts_for_its_supplier_only(client: TestClient) -> None:
    platform = factories.admin(client)
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    other_supplier = factories.supplier(client, owner, approve_with=platform)
    own_shop = factories.shop(client, owner)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    key = factories.auth(str(_create_key(client, owner, "suppliers", supplier_id)["key"]))
    ok(client.get(f"/api/v1/suppliers/{supplier_id}/bindings", headers=key))
    token = factories.invitation(client, merchant, shop_id, max_uses=2)["token"]
    bound = ok(client.post(f"/api/v1/invitations/{token}/accept",
                           json={"supplier_id": supplier_id}, headers=key))
    assert (bound["shop_id"], bound["supplier_id"]) == (shop_id, supplier_id)
    assert_problem(client.post(f"/api/v1/invitations/{token}/accept",
                               json={"supplier_id": other_supplier}, headers=key), 404,
                   "SUPPLIER_NOT_FOUND")
    assert_problem(client.get(f"/api/v1/suppliers/{other_supplier}/bindings", headers=key), 404,
                   "SUPPLIER_NOT_FOUND")
    assert_problem(client.get(f"/api/v1/shops/{own_shop}/bindings", headers=key), 404,
                   "SHOP_NOT_FOUND")


@pytest.mark.parametrize("kind", ORGS)
def test_a_key_cannot_manage_keys_or_open_organisations(client: TestClient, kind: str) -> None:
    owner = factories.person(client)
    org = _org(client, owner, kind)
    created = _create_key(client, owner, kind, org)
    key = factories.auth(str(created["key"]))
    base = f"/api/v1/{kind}/{org}/api-keys"
    assert_problem(client.post(base, headers=key), 403, "FORBIDDEN")
    assert_problem(client.get(base, headers=key), 403, "FORBIDDEN")
    assert_problem(client.delete(f"{base}/{created['id']}", headers=key), 403, "FORBIDDEN")
    assert_problem(client.post("/api/v1/shops", json={"name": "x"}, headers=key), 403,
                   "FORBIDDEN")
    assert_problem(client.post("/api/v1/suppliers", json={"name": "x",
                                                          "contact_phone": "13812345678"},
                               headers=key), 403, "FORBIDDEN")
    assert_problem(client.delete("/api/v1/auth/token", headers=key), 403, "FORBIDDEN")
    assert len(ok(client.get(base, headers=owner.headers))["items"]) == 1
    ok(client.get("/api/v1/auth/me", headers=key))


@pytest.mark.parametrize("kind", ORGS)
def test_a_revoked_key_is_401(client: TestClient, kind: str) -> None:
    owner = factories.person(client)
    org = _org(client, owner, kind)
    created = _create_key(client, owner, kind, org)
    keep = _create_key(client, owner, kind, org)
    key = factories.auth(str(created["key"]))
    ok(client.get(f"/api/v1/{kind}/{org}/bindings", headers=key))
    response = client.delete(f"/api/v1/{kind}/{org}/api-keys/{created['id']}",
                             headers=owner.headers)
    assert response.status_code == 204
    assert_problem(client.get(f"/api/v1/{kind}/{org}/bindings", headers=key), 401,
                   "INVALID_TOKEN")
    ok(client.get(f"/api/v1/{kind}/{org}/bindings", headers=factories.auth(str(keep["key"]))))
    again = client.delete(f"/api/v1/{kind}/{org}/api-keys/{created['id']}",
                          headers=owner.headers)
    assert again.status_code == 204
    listed = {k["id"]: k for k in ok(client.get(f"/api/v1/{kind}/{org}/api-keys",
                                                headers=owner.headers))["items"]}
    assert listed[created["id"]]["revoked_at"] is not None
    assert listed[keep["id"]]["revoked_at"] is None


@pytest.mark.parametrize("kind", ORGS)
def test_revoking_an_unknown_or_foreign_key_is_404(client: TestClient, kind: str) -> None:
    owner = factories.person(client)
    org = _org(client, owner, kind)
    other_org = _org(client, owner, kind)
    foreign = _create_key(client, owner, kind, other_org)
    for key_id in (999999, foreign["id"]):
        assert_problem(client.delete(f"/api/v1/{kind}/{org}/api-keys/{key_id}",
                                     headers=owner.headers), 404, "NOT_FOUND")
    assert_problem(client.delete(f"/api/v1/{kind}/{org}/api-keys/not-a-number",
                                 headers=owner.headers), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("kind", ORGS)
@pytest.mark.parametrize("key_id", [2**64, -(2**64), 2**63, 0])
def test_revoking_a_key_id_no_column_holds_is_404_like_a_missing_one(client: TestClient,
                                                                     kind: str,
                                                                     key_id: int) -> None:
    owner = factories.person(client)
    org = _org(client, owner, kind)
    assert_problem(client.delete(f"/api/v1/{kind}/{org}/api-keys/{key_id}",
                                 headers=owner.headers), 404, "NOT_FOUND")


def test_last_use_is_noted_on_writes(client: TestClient, clock: FrozenClock) -> None:
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    created = _create_key(client, owner, "shops", shop_id)
    key = factories.auth(str(created["key"]))
    clock.advance(timedelta(minutes=5))
    ok(client.post(f"/api/v1/shops/{shop_id}/invitations", headers=key), 201)
    listed = ok(client.get(f"/api/v1/shops/{shop_id}/api-keys", headers=owner.headers))["items"]
    assert listed[0]["last_used_at"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M"))


def test_sign_out_with_a_session_leaves_api_keys_alone(client: TestClient) -> None:
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    key = factories.auth(str(_create_key(client, owner, "shops", shop_id)["key"]))
    assert client.delete("/api/v1/auth/token", headers=owner.headers).status_code == 204
    ok(client.get(f"/api/v1/shops/{shop_id}", headers=key))
