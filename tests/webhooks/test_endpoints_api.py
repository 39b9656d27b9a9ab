"""Registering and managing webhook endpoints, for shops and for suppliers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.webhooks.service import MAX_ENDPOINTS
from tests import factories
from tests.api.support import assert_problem, ok
from tests.webhooks.helpers import register

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def merchant(client: TestClient) -> factories.Person:
    owner = factories.person(client)
    factories.shop(client, owner)
    return owner


def _base(owner: factories.Person) -> str:
    return f"/api/v1/shops/{owner.shops[0]}/webhooks"


def test_registering_shows_a_generated_secret_once(client: TestClient,
                                                   merchant: factories.Person) -> None:
    created = register(client, merchant, URL, org_id=merchant.shops[0],
                       description="ERP 同步")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["event_types"] == ["*"] and created["enabled"] is True
    assert created["secret_hint"] == "…" + created["secret"][-4:]
    assert created["description"] == "ERP 同步"
    listed = ok(client.get(_base(merchant), headers=merchant.headers))["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert created["secret"] not in client.get(_base(merchant), headers=merchant.headers).text


def test_a_given_secret_is_used(client: TestClient, merchant: factories.Person) -> None:
    created = register(client, merchant, URL, org_id=merchant.shops[0],
                       secret="my-own-secret-0123456789",
                       event_types=["dispatch_order.shipped", "dispatch_order.*"])
    assert created["secret"] == "my-own-secret-0123456789"
    assert created["event_types"] == ["dispatch_order.shipped", "dispatch_order.*"]
    short = client.post(_base(merchant), json={"url": URL, "secret": "short"},
                        headers=merchant.headers)
    assert_problem(short, 422, "VALIDATION_FAILED")


@pytest.mark.parametrize(("body", "code"), [
    ({"url": "ftp://example.com/x"}, "WEBHOOK_URL_INVALID"),
    ({"url": "not a url"}, "WEBHOOK_URL_INVALID"),
    ({"url": URL, "event_types": ["Dispatch Order"]}, "WEBHOOK_EVENT_TYPE_INVALID"),
    ({"url": URL, "event_types": []}, "VALIDATION_FAILED"),
])
def test_bad_registrations_are_422(client: TestClient, merchant: factories.Person,
                                   body: dict[str, object], code: str) -> None:
    assert_problem(client.post(_base(merchant), json=body, headers=merchant.headers), 422, code)
    assert ok(client.get(_base(merchant), headers=merchant.headers))["items"] == []


def test_private_targets_are_refused_by_default(settings: Settings, db: Database,
                                                clock: FrozenClock) -> None:
    strict = settings.model_copy(update={"webhook_allow_private": False})
    assert Settings().webhook_allow_private is False  # the default
    with TestClient(create_app(strict, clock=clock, database=db)) as client:
        owner = factories.person(client)
        shop_id = factories.shop(client, owner)
        for url in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://10.0.0.5/x"):
            response = client.post(f"/api/v1/shops/{shop_id}/webhooks", json={"url": url},
                                   headers=owner.headers)
            assert_problem(response, 422, "WEBHOOK_URL_NOT_ALLOWED")
        ok(client.post(f"/api/v1/shops/{shop_id}/webhooks",
                       json={"url": "https://hooks.example.com/daifa"}, headers=owner.headers),
           201)


def test_update_disable_and_event_types(client: TestClient, merchant: factories.Person,
                                        clock: FrozenClock) -> None:
    created = register(client, merchant, URL, org_id=merchant.shops[0])
    clock.advance(timedelta(minutes=5))
    path = f"{_base(merchant)}/{created['id']}"
    updated = ok(client.patch(path, json={"enabled": False,
                                          "event_types": ["dispatch_order.shipped"]},
                              headers=merchant.headers))
    assert updated["enabled"] is False
    assert updated["event_types"] == ["dispatch_order.shipped"]
    assert updated["updated_at"] != created["updated_at"]
    again = ok(client.patch(path, json={"enabled": True, "url": "http://127.0.0.1:10/new"},
                            headers=merchant.headers))
    assert again["enabled"] is True and again["url"] == "http://127.0.0.1:10/new"
    assert_problem(client.patch(path, json={"url": "gopher://x"}, headers=merchant.headers),
                   422, "WEBHOOK_URL_INVALID")


def test_rotating_keeps_the_old_secret_for_a_day(client: TestClient,
                                                 merchant: factories.Person,
                                                 clock: FrozenClock) -> None:
    created = register(client, merchant, URL, org_id=merchant.shops[0])
    rotated = ok(client.post(f"{_base(merchant)}/{created['id']}/rotate-secret",
                             headers=merchant.headers))
    assert rotated["secret"] != created["secret"] and rotated["secret"].startswith("whsec_")
    until = (clock.now() + timedelta(hours=24)).isoformat().replace("+00:00", "Z")
    assert rotated["previous_secret_valid_until"] == until
    listed = ok(client.get(_base(merchant), headers=merchant.headers))["items"][0]
    assert listed["secret_hint"] == "…" + rotated["secret"][-4:]
    assert listed["previous_secret_valid_until"] == until


def test_delete_then_it_is_gone(client: TestClient, merchant: factories.Person) -> None:
    created = register(client, merchant, URL, org_id=merchant.shops[0])
    path = f"{_base(merchant)}/{created['id']}"
    assert client.delete(path, headers=merchant.headers).status_code == 204
    assert ok(client.get(_base(merchant), headers=merchant.headers))["items"] == []
    for response in (client.delete(path, headers=merchant.headers),
                     client.patch(path, json={"enabled": True}, headers=merchant.headers),
                     client.post(f"{path}/rotate-secret", headers=merchant.headers),
                     client.get(f"{path}/deliveries", headers=merchant.headers)):
        assert_problem(response, 404, "WEBHOOK_ENDPOINT_NOT_FOUND")


@pytest.mark.parametrize("endpoint_id", [str(uuid.UUID(int=5)), "not-a-uuid", "1"])
def test_unknown_and_malformed_endpoint_ids_are_404(client: TestClient,
                                                    merchant: factories.Person,
                                                    endpoint_id: str) -> None:
    response = client.patch(f"{_base(merchant)}/{endpoint_id}", json={"enabled": False},
                            headers=merchant.headers)
    assert_problem(response, 404, "WEBHOOK_ENDPOINT_NOT_FOUND")


def test_another_tenants_endpoint_is_404_like_a_missing_one(client: TestClient,
                                                            merchant: factories.Person) -> None:
    theirs = register(client, merchant, URL, org_id=merchant.shops[0])
    other = factories.person(client)
    other_shop = factories.shop(client, other)
    base = f"/api/v1/shops/{other_shop}/webhooks"
    for endpoint_id in (theirs["id"], str(uuid.UUID(int=9))):
        assert_problem(client.patch(f"{base}/{endpoint_id}", json={"enabled": False},
                                    headers=other.headers), 404, "WEBHOOK_ENDPOINT_NOT_FOUND")
        assert_problem(client.get(f"{base}/{endpoint_id}/deliveries", headers=other.headers),
                       404, "WEBHOOK_ENDPOINT_NOT_FOUND")
    # ... and the owner's shop in the path is not theirs either.
    assert_problem(client.get(_base(merchant), headers=other.headers), 404, "SHOP_NOT_FOUND")
    assert ok(client.get(_base(merchant), headers=merchant.headers))["items"][0]["enabled"]


def test_suppliers_manage_their_own_endpoints(client: TestClient) -> None:
    platform = factories.admin(client)
    owner = factories.person(client)
    supplier_id = factories.supplier(client, owner, approve_with=platform)
    created = register(client, owner, URL, org="suppliers", org_id=supplier_id,
                       event_types=["dispatch_order.*"])
    base = f"/api/v1/suppliers/{supplier_id}/webhooks"
    assert [e["id"] for e in ok(client.get(base, headers=owner.headers))["items"]] \
        == [created["id"]]
    ok(client.patch(f"{base}/{created['id']}", json={"enabled": False}, headers=owner.headers))
    assert client.delete(f"{base}/{created['id']}", headers=owner.headers).status_code == 204


def test_an_organisation_has_at_most_so_many_endpoints(client: TestClient,
                                                       merchant: factories.Person) -> None:
    for n in range(MAX_ENDPOINTS):
        register(client, merchant, f"{URL}/{n}", org_id=merchant.shops[0])
    response = client.post(_base(merchant), json={"url": URL}, headers=merchant.headers)
    assert_problem(response, 409, "TOO_MANY_WEBHOOK_ENDPOINTS")


def test_shop_api_keys_manage_their_shops_endpoints(client: TestClient,
                                                    merchant: factories.Person) -> None:
    shop_id = merchant.shops[0]
    key = ok(client.post(f"/api/v1/shops/{shop_id}/api-keys", headers=merchant.headers),
             201)["key"]
    created = ok(client.post(_base(merchant), json={"url": URL}, headers=factories.auth(key)),
                 201)
    assert created["id"]
