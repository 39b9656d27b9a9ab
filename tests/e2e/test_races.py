"""Races decided by the database, on SQLite and PostgreSQL: exactly one of two wins.

Each race starts two threads at a barrier, each with its own TestClient (so its own request, unit
of work and connection). SQLite serialises writers (BEGIN IMMEDIATE), so there the loser sees the
winner's commit. On PostgreSQL both requests really overlap: a statement hook holds each thread
just before its deciding write until the other has read and checked everything too, so the
conditional UPDATE or the unique index must decide. Each race runs several rounds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from daifa.db.uow import Database
from tests import factories
from tests.api.support import assert_problem, ok
from tests.e2e.concurrency import rendezvous

ROUNDS = 5
Request = Callable[[TestClient], httpx.Response]


def race(app: FastAPI, first: Request, second: Request) -> list[httpx.Response]:
    start = threading.Barrier(2)

    def run(request: Request) -> httpx.Response:
        with TestClient(app) as own_client:
            start.wait(timeout=10)
            return request(own_client)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run, first), pool.submit(run, second)]
        return [f.result(timeout=60) for f in futures]


def _check_met(db: Database, met: list[int]) -> None:
    if db.engine.dialect.name == "postgresql":
        assert len(set(met)) == 2, "both racers must have reached the deciding write together"


def _accept(token: str, who: factories.Person, supplier_id: str) -> Request:
    return lambda c: c.post(f"/api/v1/invitations/{token}/accept",
                            json={"supplier_id": supplier_id}, headers=who.headers)


def test_two_suppliers_accept_one_single_use_invitation(app: FastAPI, client: TestClient,
                                                        db: Database) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    bound: set[str] = set()
    for _ in range(ROUNDS):
        racers = [factories.person(client) for _ in range(2)]
        supplier_ids = [factories.supplier(client, r, approve_with=platform) for r in racers]
        token = factories.invitation(client, merchant, shop_id)["token"]
        with rendezvous(db, "UPDATE invitations SET uses") as met:
            responses = race(app, _accept(token, racers[0], supplier_ids[0]),
                             _accept(token, racers[1], supplier_ids[1]))
        _check_met(db, met)
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200)
        loser = next(r for r in responses if r.status_code == 409)
        assert_problem(loser, 409, "INVITATION_USED_UP")
        bound.add(winner.json()["supplier_id"])
        listed = ok(client.get(f"/api/v1/shops/{shop_id}/bindings", headers=merchant.headers))
        assert {b["supplier_id"] for b in listed["items"]} == bound
        assert ok(client.get(f"/api/v1/invitations/{token}"))["status"] == "used_up"
        invitations = ok(client.get(f"/api/v1/shops/{shop_id}/invitations",
                                    headers=merchant.headers))["items"]
        assert invitations[0]["uses"] == 1
    assert len(bound) == ROUNDS


def test_approve_and_cancel_of_one_application(app: FastAPI, client: TestClient,
                                               db: Database) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    owner = factories.person(client)
    outcomes = []
    for _ in range(ROUNDS):
        supplier_id = factories.supplier(client, owner, approve_with=platform)
        application = ok(client.post(f"/api/v1/shops/{shop_id}/binding-applications",
                                     json={"supplier_id": supplier_id},
                                     headers=merchant.headers), 201)
        app_id = application["id"]

        def approve(c: TestClient, sid: str = supplier_id, aid: str = app_id) -> httpx.Response:
            return c.post(f"/api/v1/suppliers/{sid}/binding-applications/{aid}/approve",
                          headers=owner.headers)

        def cancel(c: TestClient, aid: str = app_id) -> httpx.Response:
            return c.post(f"/api/v1/shops/{shop_id}/binding-applications/{aid}/cancel",
                          headers=merchant.headers)

        with rendezvous(db, "UPDATE binding_applications SET status") as met:
            approved, cancelled = race(app, approve, cancel)
        _check_met(db, met)
        assert sorted([approved.status_code, cancelled.status_code]) == [200, 409]
        loser = approved if approved.status_code == 409 else cancelled
        final = "approved" if approved.status_code == 200 else "cancelled"
        assert assert_problem(loser, 409, "INVALID_TRANSITION")["current_status"] == final
        listed = ok(client.get(f"/api/v1/suppliers/{supplier_id}/binding-applications",
                               headers=owner.headers))["items"]
        assert [a["status"] for a in listed] == [final]
        bindings = ok(client.get(f"/api/v1/suppliers/{supplier_id}/bindings",
                                 headers=owner.headers))["items"]
        assert len(bindings) == (1 if final == "approved" else 0)
        outcomes.append(final)
    assert len(outcomes) == ROUNDS


def test_two_applications_for_one_pair(app: FastAPI, client: TestClient, db: Database) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    owner = factories.person(client)
    for _ in range(ROUNDS):
        supplier_id = factories.supplier(client, owner, approve_with=platform)

        def apply(c: TestClient, sid: str = supplier_id) -> httpx.Response:
            return c.post(f"/api/v1/shops/{shop_id}/binding-applications",
                          json={"supplier_id": sid}, headers=merchant.headers)

        # Both start together; the shop-row lock (PostgreSQL) or the write lock (SQLite) makes
        # the second see the first's application, and the partial unique index backs it up.
        with rendezvous(db, "SELECT suppliers.") as met:
            responses = race(app, apply, apply)
        _check_met(db, met)
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        assert_problem(next(r for r in responses if r.status_code == 409), 409,
                       "APPLICATION_PENDING")
        listed = ok(client.get(f"/api/v1/suppliers/{supplier_id}/binding-applications",
                               headers=owner.headers))["items"]
        assert [a["status"] for a in listed] == ["pending"]


def test_one_supplier_accepting_two_invitations_of_one_shop_binds_once(
        app: FastAPI, client: TestClient, db: Database) -> None:
    """Nothing shared but the pair: the partial unique index on active bindings decides."""
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    owner = factories.person(client)
    for _ in range(ROUNDS):
        supplier_id = factories.supplier(client, owner, approve_with=platform)
        tokens = [factories.invitation(client, merchant, shop_id)["token"] for _ in range(2)]
        with rendezvous(db, "INSERT INTO bindings") as met:
            responses = race(app, _accept(tokens[0], owner, supplier_id),
                             _accept(tokens[1], owner, supplier_id))
        _check_met(db, met)
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        assert_problem(next(r for r in responses if r.status_code == 409), 409, "ALREADY_BOUND")
        bindings = ok(client.get(f"/api/v1/suppliers/{supplier_id}/bindings",
                                 headers=owner.headers))["items"]
        assert [b["status"] for b in bindings] == ["active"]
        states = sorted(ok(client.get(f"/api/v1/invitations/{t}"))["status"] for t in tokens)
        assert states == ["active", "used_up"]  # the loser's use was given back


def test_two_signups_for_one_login(app: FastAPI, client: TestClient, db: Database) -> None:
    for round_no in range(ROUNDS):
        login = f"twin{round_no}"

        def signup(c: TestClient, login: str = login) -> httpx.Response:
            return c.post("/api/v1/auth/signup", json={
                "login": login, "password": factories.PASSWORD, "display_name": login})

        with rendezvous(db, "INSERT INTO accounts") as met:
            responses = race(app, signup, signup)
        _check_met(db, met)
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        assert_problem(next(r for r in responses if r.status_code == 409), 409, "LOGIN_TAKEN")
        factories.token_for(client, login)


def test_two_first_failed_sign_ins_for_one_login_both_count(app: FastAPI, client: TestClient,
                                                            db: Database) -> None:
    for round_no in range(ROUNDS):
        login = f"target{round_no}"
        factories.person(client, login)

        def wrong(c: TestClient, login: str = login) -> httpx.Response:
            return c.post("/api/v1/auth/token", json={"login": login, "password": "wrong!"})

        with rendezvous(db, "INSERT INTO login_throttles") as met:
            responses = race(app, wrong, wrong)
        _check_met(db, met)
        for response in responses:
            assert_problem(response, 401, "INVALID_CREDENTIALS")
        from daifa.identity.models import LoginThrottle

        with db.unit_of_work() as session:
            assert session.get_one(LoginThrottle, login).failures == 2


def _apply(shop_id: str, who: factories.Person, supplier_id: str) -> Request:
    return lambda c: c.post(f"/api/v1/shops/{shop_id}/binding-applications",
                            json={"supplier_id": supplier_id}, headers=who.headers)


def test_two_applications_for_the_last_pending_place(app: FastAPI, client: TestClient,
                                                     db: Database) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    owner = factories.person(client)
    limit = client.app.state.hub.settings.max_pending_applications  # type: ignore[attr-defined]
    supplier_ids = [factories.supplier(client, owner, approve_with=platform)
                    for _ in range(limit + 1)]
    for _ in range(2):
        shop_id = factories.shop(client, merchant)
        for supplier_id in supplier_ids[:limit - 1]:
            made = client.post(f"/api/v1/shops/{shop_id}/binding-applications",
                               json={"supplier_id": supplier_id}, headers=merchant.headers)
            assert made.status_code == 201, made.text
        # Both start together (the Supplier ID lookup opens apply); the shop-row lock must
        # then make the second count the first's application.
        with rendezvous(db, "SELECT suppliers.") as met:
            responses = race(app, _apply(shop_id, merchant, supplier_ids[-2]),
                             _apply(shop_id, merchant, supplier_ids[-1]))
        _check_met(db, met)
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        assert_problem(next(r for r in responses if r.status_code == 409), 409,
                       "TOO_MANY_PENDING_APPLICATIONS")
        pending = ok(client.get(f"/api/v1/shops/{shop_id}/binding-applications",
                                params={"status": "pending", "limit": 200},
                                headers=merchant.headers))["items"]
        assert len(pending) == limit
