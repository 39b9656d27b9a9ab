"""Platform review in the console: suppliers by status, pending first; actions with reasons."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from tests import factories
from tests.web.conftest import Visitor, text_of


def _status(api: TestClient, admin_person: factories.Person, supplier_id: str) -> str:
    response = api.get(f"/api/v1/suppliers/{supplier_id}", headers=admin_person.headers)
    status: str = response.json()["status"]
    return status


def test_pending_suppliers_come_first(api: TestClient, admin: Visitor) -> None:
    platform = factories.admin(api)
    active = factories.supplier(api, factories.person(api), name="已启用",
                                approve_with=platform)
    pending = factories.supplier(api, factories.person(api), name="待审核")
    page = admin.get("/admin/suppliers")
    assert page.status_code == 200
    order = [page.text.index(f'data-testid="group-{s}"')
             for s in ("pending", "active", "rejected", "suspended")]
    assert order == sorted(order)
    assert page.text.index(f'data-testid="review-{pending}"') < \
        page.text.index(f'data-testid="review-{active}"')
    assert 'data-testid="go-admin"' in admin.get("/").text


def test_one_status_at_a_time(api: TestClient, admin: Visitor) -> None:
    pending = factories.supplier(api, factories.person(api))
    page = admin.get("/admin/suppliers?status=active")
    assert 'data-testid="group-pending"' not in page.text
    assert f'data-testid="review-{pending}"' not in page.text
    assert admin.get("/admin/suppliers?status=pending&cursor=nonsense").status_code == 422


def test_review_actions_with_reasons(api: TestClient, admin: Visitor) -> None:
    platform = factories.admin(api)
    first = factories.supplier(api, factories.person(api), name="甲")
    second = factories.supplier(api, factories.person(api), name="乙")
    response = admin.submit(f"/admin/suppliers/{first}/approve", {"reason": ""})
    assert "甲（" + first + "）现在的状态为 active" in text_of(response)
    admin.submit(f"/admin/suppliers/{second}/reject", {"reason": "资料不全"})
    assert _status(api, platform, second) == "rejected"
    admin.submit(f"/admin/suppliers/{first}/suspend", {"reason": "发货超时"})
    page = admin.get("/admin/suppliers")
    assert "资料不全" in page.text and "发货超时" in page.text
    admin.submit(f"/admin/suppliers/{first}/reinstate")
    assert _status(api, platform, first) == "active"


def test_an_illegal_move_is_explained(api: TestClient, admin: Visitor) -> None:
    platform = factories.admin(api)
    supplier_id = factories.supplier(api, factories.person(api), approve_with=platform)
    response = admin.submit(f"/admin/suppliers/{supplier_id}/approve")
    assert f'data-testid="review-{supplier_id}-code">INVALID_TRANSITION<' in response.text
    assert "当前状态（active）下无法执行该操作" in text_of(response)


def test_people_who_are_not_admins_are_refused(api: TestClient, admin: Visitor,
                                               person: Callable[[], Visitor]) -> None:
    platform = factories.admin(api)
    supplier_id = factories.supplier(api, factories.person(api))
    someone = person()
    page = someone.get("/admin/suppliers")
    assert page.status_code == 403
    assert 'data-testid="error-code">FORBIDDEN<' in page.text
    assert 'data-testid="nav-admin"' not in someone.get("/").text
    response = someone.submit(f"/admin/suppliers/{supplier_id}/approve")
    assert "FORBIDDEN" in response.text
    assert _status(api, platform, supplier_id) == "pending"
