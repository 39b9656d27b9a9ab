"""The shop page: invitations, applications by Supplier ID, bindings, timeline, API keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests import factories
from tests.web.conftest import Visitor, text_of

from daifa.kit import ids
from daifa.kit.clock import FrozenClock

Setup = tuple[factories.Person, str, Visitor]


@pytest.fixture
def merchant(api: TestClient, console_for: Callable[[str], Visitor]) -> Setup:
    """A merchant with a shop (made through the API), signed in to the console."""
    person = factories.person(api)
    shop_id = factories.shop(api, person, name="小王的好物店")
    return person, shop_id, console_for(person.login)


def _bindings(api: TestClient, person: factories.Person, shop_id: str) -> list[str]:
    response = api.get(f"/api/v1/shops/{shop_id}/bindings", headers=person.headers)
    return [f"{b['supplier_id']}:{b['status']}" for b in response.json()["items"]]


def test_opening_a_shop_from_the_dashboard(person: Callable[[], Visitor]) -> None:
    someone = person()
    response = someone.submit("/shops", {"name": "新店"}, csrf_from="/shops/new")
    assert re.fullmatch(r"/shops/SH\d{10}", response.url.path)
    assert 'data-testid="flash-success"' in response.text
    dashboard = someone.get("/")
    assert "新店" in text_of(dashboard) and 'data-testid="no-shops"' not in dashboard.text


def test_a_shop_needs_a_name(person: Callable[[], Visitor]) -> None:
    response = person().submit("/shops", {"name": ""})
    assert response.url.path == "/shops/new"
    assert 'data-testid="shop-code">VALIDATION_FAILED<' in response.text


def test_creating_an_invitation_shows_link_qr_and_png(merchant: Setup,
                                                      api: TestClient) -> None:
    _person, shop_id, console = merchant
    response = console.submit(f"/shops/{shop_id}/invitations",
                              {"expires_in_hours": "48", "max_uses": "3"})
    assert response.status_code == 200
    link = re.search(r'value="(http://testserver/invite/[^"]+)"[^>]*data-testid="invitation-link"',
                     response.text)
    assert link, response.text
    token = link.group(1).rsplit("/", 1)[1]
    assert "<svg" in response.text  # the QR code inline
    assert f'href="http://testserver/api/v1/invitations/{token}/qr.png" download' in \
        response.text
    assert "2026-11-27 10:00:00" in text_of(response)  # 48 hours on, in Shanghai time
    public = api.get(f"/api/v1/invitations/{token}").json()
    assert public["shop_id"] == shop_id and public["status"] == "active"
    listing = console.get(f"/shops/{shop_id}")
    assert "已用 0 / 3 次" in text_of(listing)


def test_invitation_limits_are_checked(merchant: Setup) -> None:
    _, shop_id, console = merchant
    response = console.submit(f"/shops/{shop_id}/invitations",
                              {"expires_in_hours": "0", "max_uses": "1"})
    assert response.url.fragment == "invite"
    assert 'data-testid="invitation-code">VALIDATION_FAILED<' in response.text
    assert "expires_in_hours" in text_of(response)
    assert 'data-testid="invitation-hours"' in response.text and 'value="0"' in response.text


def test_revoking_an_invitation(merchant: Setup, api: TestClient) -> None:
    person, shop_id, console = merchant
    created = factories.invitation(api, person, shop_id)
    response = console.submit(f"/shops/{shop_id}/invitations/{created['id']}/revoke")
    assert 'data-testid="flash-success"' in response.text
    assert 'data-status="revoked"' in response.text
    again = console.submit(f"/shops/{shop_id}/invitations/{created['id']}/revoke")
    assert 'data-testid="invitations-code">INVALID_TRANSITION<' in again.text


def test_an_invitation_past_its_deadline_lists_as_expired(merchant: Setup, api: TestClient,
                                                           clock: FrozenClock) -> None:
    person, shop_id, console = merchant
    created = factories.invitation(api, person, shop_id, expires_in_hours=1)
    clock.advance(timedelta(hours=1))  # before the worker's sweep has seen it
    page = console.get(f"/shops/{shop_id}")
    assert 'data-status="expired"' in page.text
    assert f'data-testid="revoke-invitation-{created["id"]}"' not in page.text


@pytest.mark.parametrize(("typed", "code"), [
    ("SH1234567890", "NOT_A_SUPPLIER_ID"),
    ("SP2345678", "INVALID_SUPPLIER_ID"),
    ("hello", "INVALID_SUPPLIER_ID"),
])
def test_applying_with_a_wrong_id_says_what_is_wrong(merchant: Setup, typed: str,
                                                     code: str) -> None:
    _, shop_id, console = merchant
    response = console.submit(f"/shops/{shop_id}/applications",
                              {"supplier_id": typed, "message": "你好"})
    assert response.url.fragment == "apply"
    assert f'data-testid="apply-code">{code}<' in response.text
    assert f'value="{typed}"' in response.text and "你好</textarea>" in response.text
    assert 'data-testid="outgoing-' not in response.text


def test_applying_to_an_unknown_supplier(merchant: Setup) -> None:
    _, shop_id, console = merchant
    unknown = ids.new_supplier_id()
    response = console.submit(f"/shops/{shop_id}/applications", {"supplier_id": unknown})
    assert 'data-testid="apply-code">SUPPLIER_NOT_FOUND<' in response.text


def test_applying_to_a_pending_supplier(merchant: Setup, api: TestClient) -> None:
    _, shop_id, console = merchant
    pending = factories.supplier(api, factories.person(api))
    response = console.submit(f"/shops/{shop_id}/applications", {"supplier_id": pending})
    assert 'data-testid="apply-code">SUPPLIER_NOT_ACTIVE<' in response.text


def test_applying_to_a_bound_supplier(api: TestClient,
                                      console_for: Callable[[str], Visitor]) -> None:
    person, shop_id, _owner, supplier_id = factories.bound_pair(api)
    console = console_for(person.login)
    response = console.submit(f"/shops/{shop_id}/applications", {"supplier_id": supplier_id})
    assert 'data-testid="apply-code">ALREADY_BOUND<' in response.text


def test_applying_then_cancelling(merchant: Setup, api: TestClient) -> None:
    _, shop_id, console = merchant
    supplier_id = factories.supplier(api, factories.person(api),
                                     approve_with=factories.admin(api))
    typed = supplier_id.lower()[:4] + " " + supplier_id.lower()[4:]  # people type like this
    response = console.submit(f"/shops/{shop_id}/applications",
                              {"supplier_id": typed, "message": "想合作"})
    assert response.url.fragment == "applications"
    assert f'data-testid="outgoing-{supplier_id}"' in response.text
    application_id = re.search(r"/applications/([0-9a-f-]+)/cancel", response.text)
    assert application_id
    response = console.submit(
        f"/shops/{shop_id}/applications/{application_id.group(1)}/cancel", {"reason": "算了"})
    assert 'data-testid="flash-success"' in response.text
    assert f'data-testid="outgoing-{supplier_id}"' not in response.text
    assert 'data-status="cancelled"' in response.text and "算了" in response.text


def test_the_supplier_id_check_as_one_types(merchant: Setup, api: TestClient) -> None:
    _, shop_id, console = merchant
    supplier_id = factories.supplier(api, factories.person(api), name="义乌小商品",
                                     approve_with=factories.admin(api))
    found = console.get(f"/shops/{shop_id}/supplier-check", params={"supplier_id": supplier_id})
    assert found.text.startswith("<small")  # a fragment, not a page
    assert 'data-testid="check-found"' in found.text and "义乌小商品" in found.text
    wrong = console.get(f"/shops/{shop_id}/supplier-check", params={"supplier_id": shop_id})
    assert "NOT_A_SUPPLIER_ID" in wrong.text
    assert console.get(f"/shops/{shop_id}/supplier-check").text.strip() == ""


def test_bindings_timeline_and_unbinding(api: TestClient,
                                        console_for: Callable[[str], Visitor]) -> None:
    person, shop_id, _owner, supplier_id = factories.bound_pair(api)
    console = console_for(person.login)
    page = console.get(f"/shops/{shop_id}")
    assert f'data-testid="binding-{supplier_id}"' in page.text
    timeline = console.get(f"/shops/{shop_id}/bindings/{supplier_id}")
    events = text_of(timeline)
    assert "invitation.created" in events and "binding.created" in events
    response = console.submit(f"/shops/{shop_id}/bindings/{supplier_id}/unbind",
                              {"reason": "不再合作"})
    assert response.url.fragment == "bindings"
    assert f'data-testid="binding-{supplier_id}"' not in response.text
    assert "不再合作" in response.text
    assert _bindings(api, person, shop_id) == [f"{supplier_id}:ended"]
    timeline = text_of(console.get(f"/shops/{shop_id}/bindings/{supplier_id}"))
    assert "binding.end" in timeline and "active → ended" in timeline and "不再合作" in timeline
    again = console.submit(f"/shops/{shop_id}/bindings/{supplier_id}/unbind")
    assert 'data-testid="bindings-code">BINDING_NOT_FOUND<' in again.text


def test_api_keys_are_shown_once_and_can_be_revoked(merchant: Setup, api: TestClient) -> None:
    _, shop_id, console = merchant
    created = console.submit(f"/shops/{shop_id}/api-keys", {"name": "ERP"})
    secret = re.search(r'value="(dfk_[^"]+)"', created.text)
    assert secret
    assert api.get(f"/api/v1/shops/{shop_id}", headers=factories.auth(secret.group(1))) \
        .status_code == 200
    page = console.get(f"/shops/{shop_id}")
    assert secret.group(1) not in page.text and secret.group(1)[:8] in page.text
    key_id = re.search(r'data-testid="revoke-key-(\d+)"', page.text)
    assert key_id
    response = console.submit(f"/shops/{shop_id}/api-keys/{key_id.group(1)}/revoke")
    assert 'data-status="revoked"' in response.text
    assert api.get(f"/api/v1/shops/{shop_id}", headers=factories.auth(secret.group(1))) \
        .status_code == 401


def test_another_persons_shop_is_404_and_untouched(merchant: Setup, api: TestClient,
                                                   person: Callable[[], Visitor]) -> None:
    owner, shop_id, _ = merchant
    intruder = person()
    for path in (f"/shops/{shop_id}", f"/shops/{shop_id}/supplier-check",
                 "/shops/SH0000000001", "/shops/not-an-id"):
        response = intruder.get(path)
        assert response.status_code == 404, path
        assert 'data-testid="error-code">SHOP_NOT_FOUND<' in response.text
    response = intruder.submit(f"/shops/{shop_id}/invitations", {"max_uses": "1"})
    assert response.status_code == 404
    response = intruder.submit(f"/shops/{shop_id}/api-keys", {"name": "mine now"})
    assert response.status_code == 404
    listing = api.get(f"/api/v1/shops/{shop_id}/invitations", headers=owner.headers).json()
    assert listing["items"] == []
    keys = api.get(f"/api/v1/shops/{shop_id}/api-keys", headers=owner.headers).json()
    assert keys["items"] == []
