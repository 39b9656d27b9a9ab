"""Supplier onboarding and the supplier page: inbox, bindings, API keys, tenancy."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from tests import factories
from tests.web.conftest import Visitor, text_of

from daifa.kit import ids

ONBOARD = {"name": "杭州好物供应链", "contact_phone": "138 1234 5678", "contact_name": "陈经理",
           "region": "浙江省 杭州市"}


def _apply(api: TestClient, merchant: factories.Person, shop_id: str, supplier_id: str) -> str:
    response = api.post(f"/api/v1/shops/{shop_id}/binding-applications",
                        json={"supplier_id": supplier_id, "message": "想请你代发"},
                        headers=merchant.headers)
    assert response.status_code == 201, response.text
    application_id: str = response.json()["id"]
    return application_id


def test_onboarding_shows_the_new_supplier_id_pending(person: Callable[[], Visitor]) -> None:
    someone = person()
    response = someone.submit("/suppliers", ONBOARD, csrf_from="/suppliers/new")
    supplier_id = response.url.path.rsplit("/", 1)[1]
    assert ids.is_valid_supplier_id(supplier_id)
    assert f'value="{supplier_id}"' in response.text  # big, with a copy button
    assert 'data-testid="supplier-status"><span class="status status-pending"' in response.text
    assert 'data-testid="pending-note"' in response.text
    assert supplier_id in text_of(response)  # also in the welcome message
    assert "+8613812345678" in response.text
    assert f'data-testid="supplier-{supplier_id}"' in someone.get("/").text


def test_onboarding_with_a_bad_phone_keeps_the_form(person: Callable[[], Visitor]) -> None:
    response = person().submit("/suppliers", {**ONBOARD, "contact_phone": "12345"})
    assert response.url.path == "/suppliers/new"
    assert 'data-testid="onboard-code">INVALID_PHONE<' in response.text
    assert 'value="杭州好物供应链"' in response.text


def test_onboarding_goes_back_to_next(person: Callable[[], Visitor]) -> None:
    someone = person()
    form = {**ONBOARD, "next": "/shops/new"}
    response = someone.submit("/suppliers", form)
    assert response.url.path == "/shops/new"
    assert "你的供货商 ID 是 SP" in text_of(response)


def test_approving_an_application_from_the_inbox(api: TestClient,
                                                 console_for: Callable[[str], Visitor]) -> None:
    merchant = factories.person(api)
    shop_id = factories.shop(api, merchant, name="小王的好物店")
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner, approve_with=factories.admin(api))
    application_id = _apply(api, merchant, shop_id, supplier_id)
    console = console_for(owner.login)
    page = console.get(f"/suppliers/{supplier_id}")
    assert f'data-testid="application-{shop_id}"' in page.text and "想请你代发" in page.text
    assert "1 条待处理" in text_of(console.get("/"))
    response = console.submit(
        f"/suppliers/{supplier_id}/applications/{application_id}/approve")
    assert "你已与 小王的好物店 绑定" in text_of(response)
    assert f'data-testid="binding-{shop_id}"' in response.text
    assert f'data-testid="application-{shop_id}"' not in response.text
    bound = api.get(f"/api/v1/shops/{shop_id}/bindings", headers=merchant.headers).json()
    assert [(b["supplier_id"], b["created_via"]) for b in bound["items"]] == [
        (supplier_id, "application")]


def test_rejecting_with_a_reason(api: TestClient,
                                 console_for: Callable[[str], Visitor]) -> None:
    merchant = factories.person(api)
    shop_id = factories.shop(api, merchant)
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner, approve_with=factories.admin(api))
    application_id = _apply(api, merchant, shop_id, supplier_id)
    console = console_for(owner.login)
    response = console.submit(
        f"/suppliers/{supplier_id}/applications/{application_id}/reject", {"reason": "品类不符"})
    assert 'data-testid="flash-success"' in response.text
    assert 'data-status="rejected"' in response.text and "品类不符" in response.text
    again = console.submit(
        f"/suppliers/{supplier_id}/applications/{application_id}/approve")
    assert 'data-testid="inbox-code">INVALID_TRANSITION<' in again.text
    listing = api.get(f"/api/v1/shops/{shop_id}/binding-applications",
                      headers=merchant.headers).json()["items"]
    assert [(a["status"], a["decision_reason"]) for a in listing] == [("rejected", "品类不符")]


def test_the_supplier_unbinds_with_a_reason(api: TestClient,
                                            console_for: Callable[[str], Visitor]) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(api)
    console = console_for(owner.login)
    response = console.submit(f"/suppliers/{supplier_id}/bindings/{shop_id}/unbind",
                              {"reason": "库存不足"})
    assert f'data-testid="binding-{shop_id}"' not in response.text
    timeline = text_of(console.get(f"/suppliers/{supplier_id}/bindings/{shop_id}"))
    assert "binding.end" in timeline and "库存不足" in timeline
    bound = api.get(f"/api/v1/shops/{shop_id}/bindings", headers=merchant.headers).json()
    assert [(b["status"], b["ended_by"]) for b in bound["items"]] == [("ended", "supplier")]


def test_supplier_api_keys(api: TestClient, console_for: Callable[[str], Visitor]) -> None:
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner)
    console = console_for(owner.login)
    created = console.submit(f"/suppliers/{supplier_id}/api-keys", {"name": ""})
    secret = re.search(r'value="(dfk_[^"]+)"', created.text)
    assert secret and 'data-testid="api-key-created"' in created.text
    keys = api.get(f"/api/v1/suppliers/{supplier_id}/api-keys", headers=owner.headers).json()
    assert [(k["name"], k["revoked_at"]) for k in keys["items"]] == [("API key", None)]
    response = console.submit(
        f"/suppliers/{supplier_id}/api-keys/{keys['items'][0]['id']}/revoke")
    assert 'data-testid="flash-success"' in response.text
    unknown = console.submit(f"/suppliers/{supplier_id}/api-keys/999999/revoke")
    assert 'data-testid="api-key-code">NOT_FOUND<' in unknown.text


def test_another_persons_supplier_is_404_and_untouched(
        api: TestClient, console_for: Callable[[str], Visitor],
        person: Callable[[], Visitor]) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(api)
    other_merchant = factories.person(api)
    other_shop = factories.shop(api, other_merchant)
    application_id = _apply(api, other_merchant, other_shop, supplier_id)
    intruder = person()
    for path in (f"/suppliers/{supplier_id}", f"/suppliers/{supplier_id}/bindings/{shop_id}",
                 f"/suppliers/{ids.new_supplier_id()}", "/suppliers/SPXXXXXXX"):
        response = intruder.get(path)
        assert response.status_code == 404, path
        assert 'data-testid="error-code">SUPPLIER_NOT_FOUND<' in response.text
    for path in (f"/suppliers/{supplier_id}/applications/{application_id}/approve",
                 f"/suppliers/{supplier_id}/bindings/{shop_id}/unbind",
                 f"/suppliers/{supplier_id}/api-keys"):
        assert intruder.submit(path, {"reason": "x", "name": "x"}).status_code == 404, path
    # the merchant of a bound shop does not see the supplier's page either
    assert console_for(merchant.login).get(f"/suppliers/{supplier_id}").status_code == 404
    incoming = api.get(f"/api/v1/suppliers/{supplier_id}/binding-applications",
                       headers=owner.headers).json()["items"]
    assert [a["status"] for a in incoming] == ["pending"]
    keys = api.get(f"/api/v1/suppliers/{supplier_id}/api-keys", headers=owner.headers).json()
    assert keys["items"] == []


def test_a_supplier_page_needs_sign_in(api: TestClient, visitor: Callable[[], Visitor]) -> None:
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner)
    response = visitor().get(f"/suppliers/{supplier_id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next=/suppliers/{supplier_id}"
