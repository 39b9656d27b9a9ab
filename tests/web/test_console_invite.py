"""The invitation landing page /invite/{token}: look, sign in or sign up, onboard, accept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from tests import factories
from tests.web.conftest import Visitor, text_of

from daifa.kit.clock import FrozenClock


def _invitation(api: TestClient, **body: int) -> tuple[factories.Person, str, str]:
    merchant = factories.person(api)
    shop_id = factories.shop(api, merchant, name="小王的好物店")
    token: str = factories.invitation(api, merchant, shop_id, **body)["token"]
    return merchant, shop_id, token


def _bindings(api: TestClient, merchant: factories.Person, shop_id: str) -> list[str]:
    items = api.get(f"/api/v1/shops/{shop_id}/bindings", headers=merchant.headers).json()
    return [b["supplier_id"] for b in items["items"] if b["status"] == "active"]


def test_anyone_with_the_link_sees_the_shop_and_a_sign_in_form(
        api: TestClient, visitor: Callable[[], Visitor]) -> None:
    _, shop_id, token = _invitation(api)
    response = visitor().get(f"/invite/{token}")
    assert response.status_code == 200
    assert "小王的好物店" in text_of(response) and shop_id in text_of(response)
    assert 'data-testid="signin-form"' in response.text
    assert f'name="next" value="/invite/{token}"' in response.text
    assert f'href="/signup?next=/invite/{token}"' in response.text


def test_sign_in_on_the_page_then_accept(api: TestClient,
                                         visitor: Callable[[], Visitor]) -> None:
    merchant, shop_id, token = _invitation(api)
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner, approve_with=factories.admin(api))
    someone = visitor()
    form = {"csrf": someone.csrf(f"/invite/{token}"), "login": owner.login,
            "password": factories.PASSWORD, "next": f"/invite/{token}"}
    response = someone.client.post("/signin", data=form)
    assert response.url.path == f"/invite/{token}"
    assert f'data-testid="candidate-{supplier_id}"' in response.text
    someone.login = owner.login
    response = someone.submit(f"/invite/{token}/accept", {"supplier_id": supplier_id},
                              csrf_from=f"/invite/{token}")
    assert response.url.path == f"/invite/{token}/done"
    assert 'data-testid="invite-done"' in response.text
    assert "小王的好物店" in text_of(response)
    assert _bindings(api, merchant, shop_id) == [supplier_id]
    used = someone.get(f"/invite/{token}")
    assert 'data-testid="invite-unusable"' in used.text and 'data-status="used_up"' in used.text


def test_sign_up_and_onboard_on_the_spot_says_pending(api: TestClient,
                                                      visitor: Callable[[], Visitor]) -> None:
    merchant, shop_id, token = _invitation(api)
    someone = visitor()
    form = {"csrf": someone.csrf(f"/signup?next=/invite/{token}"), "login": "newsupplier",
            "password": factories.PASSWORD, "display_name": "新人", "next": f"/invite/{token}"}
    response = someone.client.post("/signup", data=form)
    assert response.url.path == f"/invite/{token}"
    assert 'data-testid="invite-no-supplier"' in response.text
    assert f'href="/suppliers/new?next=/invite/{token}"' in response.text
    someone.login = "newsupplier"
    response = someone.submit("/suppliers", {"name": "新来的", "contact_phone": "13700001111",
                                             "next": f"/invite/{token}"})
    assert response.url.path == f"/invite/{token}"
    assert 'data-testid="candidate-pending"' in response.text
    assert 'data-testid="accept-submit"' not in response.text
    assert _bindings(api, merchant, shop_id) == []


def test_accepting_with_a_pending_supplier_is_refused(api: TestClient,
                                                      console_for: Callable[[str], Visitor]
                                                      ) -> None:
    merchant, shop_id, token = _invitation(api)
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner)
    console = console_for(owner.login)
    response = console.submit(f"/invite/{token}/accept", {"supplier_id": supplier_id})
    assert response.url.path == f"/invite/{token}"
    assert 'data-testid="accept-code">SUPPLIER_NOT_ACTIVE<' in response.text
    assert _bindings(api, merchant, shop_id) == []


def test_someone_elses_supplier_cannot_accept(api: TestClient,
                                              console_for: Callable[[str], Visitor]) -> None:
    merchant, shop_id, token = _invitation(api)
    supplier_id = factories.supplier(api, factories.person(api),
                                     approve_with=factories.admin(api))
    console = console_for(factories.person(api).login)
    response = console.submit(f"/invite/{token}/accept", {"supplier_id": supplier_id})
    assert 'data-testid="accept-code">SUPPLIER_NOT_FOUND<' in response.text
    assert _bindings(api, merchant, shop_id) == []
    done = console.get(f"/invite/{token}/done", params={"supplier_id": supplier_id})
    assert done.status_code == 404


def test_an_already_bound_supplier_is_marked(api: TestClient,
                                             console_for: Callable[[str], Visitor]) -> None:
    merchant, shop_id, owner, _supplier_id = factories.bound_pair(api)
    token = factories.invitation(api, merchant, shop_id)["token"]
    page = console_for(owner.login).get(f"/invite/{token}")
    assert "ALREADY_BOUND" in page.text and 'data-testid="accept-submit"' not in page.text


def test_an_expired_or_revoked_link_says_so(api: TestClient, clock: FrozenClock,
                                            visitor: Callable[[], Visitor]) -> None:
    merchant, shop_id, token = _invitation(api, expires_in_hours=1)
    someone = visitor()
    clock.advance(timedelta(hours=1))
    expired = someone.get(f"/invite/{token}")
    assert 'data-status="expired"' in expired.text and "已过期" in text_of(expired)
    assert 'data-testid="signin-form"' not in expired.text
    other = factories.invitation(api, merchant, shop_id)["token"]
    api.delete(f"/api/v1/shops/{shop_id}/invitations/{other}", headers=merchant.headers)
    revoked = someone.get(f"/invite/{other}")
    assert 'data-status="revoked"' in revoked.text and "撤销" in text_of(revoked)


def test_an_unknown_link_is_404(visitor: Callable[[], Visitor]) -> None:
    response = visitor().get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert 'data-testid="invite-problem"' in response.text
    assert "INVITATION_NOT_FOUND" in response.text
