"""Plain keyword functions that make what tests need through the public API."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from fastapi.testclient import TestClient

_seq = count(1)
PASSWORD = "correct horse battery"


@dataclass
class Person:
    login: str
    token: str
    shops: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def person(client: TestClient, login: str | None = None) -> Person:
    login = login or f"user{next(_seq)}"
    response = client.post("/api/v1/auth/signup",
                           json={"login": login, "password": PASSWORD, "display_name": login})
    assert response.status_code == 201, response.text
    return Person(login=login, token=token_for(client, login))


def token_for(client: TestClient, login: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def admin(client: TestClient) -> Person:
    """A platform admin, made the way `daifa admin create` makes one."""
    from daifa.context import Actor, Ctx
    from daifa.fulfilment.reactions import REACTIONS
    from daifa.identity import service as identity

    hub = client.app.state.hub  # type: ignore[attr-defined]
    login = f"admin{next(_seq)}"
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=hub.settings,
                  clock=hub.clock)
        identity.signup(ctx, login, PASSWORD, "Admin", is_admin=True)
    return Person(login=login, token=token_for(client, login))


def shop(client: TestClient, owner: Person, name: str = "测试小店") -> str:
    response = client.post("/api/v1/shops", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    shop_id: str = response.json()["shop_id"]
    owner.shops.append(shop_id)
    return shop_id


def supplier(client: TestClient, owner: Person, *, approve_with: Person | None = None,
             **fields: Any) -> str:
    body = {"name": "测试供应商", "contact_phone": "13812345678", "region": "浙江省 杭州市"}
    body.update(fields)
    response = client.post("/api/v1/suppliers", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    supplier_id: str = response.json()["supplier_id"]
    owner.suppliers.append(supplier_id)
    if approve_with is not None:
        review(client, approve_with, supplier_id, "approve")
    return supplier_id


def review(client: TestClient, admin_person: Person, supplier_id: str, action: str) -> None:
    response = client.post(f"/api/v1/admin/suppliers/{supplier_id}/{action}",
                           headers=admin_person.headers)
    assert response.status_code == 200, response.text


def invitation(client: TestClient, owner: Person, shop_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/shops/{shop_id}/invitations", json=body or None,
                           headers=owner.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def bound_pair(client: TestClient) -> tuple[Person, str, Person, str]:
    """A merchant with a shop bound to an active supplier (by invitation)."""
    platform = admin(client)
    merchant = person(client)
    shop_id = shop(client, merchant)
    owner = person(client)
    supplier_id = supplier(client, owner, approve_with=platform)
    token = invitation(client, merchant, shop_id)["token"]
    response = client.post(f"/api/v1/invitations/{token}/accept",
                           json={"supplier_id": supplier_id}, headers=owner.headers)
    assert response.status_code == 200, response.text
    return merchant, shop_id, owner, supplier_id
