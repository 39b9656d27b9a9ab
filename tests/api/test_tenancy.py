"""Tenancy sweep: every shop- or supplier-scoped endpoint in the OpenAPI document, called for
another tenant's real object, answers 404 exactly as for an object that does not exist.

The endpoints come from `app.openapi()`, so a new endpoint is swept without touching this file.
Pass 1 puts tenant A's organisation in the path and calls as tenant B (a person, a shop API key
and a supplier API key). Pass 2 puts B's own organisation in the path and A's object after it
(a binding counterpart, an invitation, an application, an API key): still 404 like a missing one.
Request bodies and required query parameters are made from the schema so that validation
passes and the tenancy check is what answers.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from daifa.kit import ids
from tests import factories
from tests.api.support import assert_problem, ok, same_problem

# Endpoints with an org in the path that are deliberately not tenant-scoped, and why.
NOT_TENANT_SCOPED = {
    ("GET", "/api/v1/suppliers/{supplier_id}"): "public profile; strangers get the public part",
    ("POST", "/api/v1/admin/suppliers/{supplier_id}/{action}"): "platform admins only (403)",
}
ORG_PARAMS = ("shop_id", "supplier_id")
MISSING_SUPPLIER = "SP" + "ZZZZZZ" + ids.check_char("ZZZZZZ")
MISSING_SHOP = "SH1000000001"


@dataclass
class Tenant:
    person: factories.Person
    shop_id: str
    supplier_id: str
    shop_key: dict[str, str]
    supplier_key: dict[str, str]
    shop_key_id: int
    supplier_key_id: int


@dataclass
class World:
    a: Tenant
    b: Tenant
    counterpart_supplier: str  # bound to A's shop
    counterpart_shop: str  # bound to A's supplier
    invitation_token: str  # A's shop's, still active
    application_id: str  # from A's shop to A's supplier, pending
    webhooks: dict[str, tuple[str, str]]  # outer param → A's (endpoint id, delivery id)


def _key(client: TestClient, owner: factories.Person, kind: str, org: str) -> tuple[str, int]:
    created = ok(client.post(f"/api/v1/{kind}/{org}/api-keys", headers=owner.headers), 201)
    return created["key"], created["id"]


def _tenant(client: TestClient, platform: factories.Person) -> Tenant:
    person = factories.person(client)
    shop_id = factories.shop(client, person)
    supplier_id = factories.supplier(client, person, approve_with=platform)
    shop_key, shop_key_id = _key(client, person, "shops", shop_id)
    supplier_key, supplier_key_id = _key(client, person, "suppliers", supplier_id)
    return Tenant(person, shop_id, supplier_id, factories.auth(shop_key),
                  factories.auth(supplier_key), shop_key_id, supplier_key_id)


def _world(client: TestClient) -> World:
    platform = factories.admin(client)
    a, b = _tenant(client, platform), _tenant(client, platform)
    partner = factories.person(client)
    partner_shop = factories.shop(client, partner)
    partner_supplier = factories.supplier(client, partner, approve_with=platform)
    token = factories.invitation(client, a.person, a.shop_id, max_uses=5)["token"]
    ok(client.post(f"/api/v1/invitations/{token}/accept",
                   json={"supplier_id": partner_supplier}, headers=partner.headers))
    other = factories.invitation(client, partner, partner_shop)["token"]
    ok(client.post(f"/api/v1/invitations/{other}/accept", json={"supplier_id": a.supplier_id},
                   headers=a.person.headers))
    application = ok(client.post(f"/api/v1/shops/{a.shop_id}/binding-applications",
                                 json={"supplier_id": a.supplier_id}, headers=a.person.headers),
                     201)
    return World(a, b, partner_supplier, partner_shop, token, application["id"],
                 {"shop_id": _webhook(client, a, "shops", a.shop_id),
                  "supplier_id": _webhook(client, a, "suppliers", a.supplier_id)})


def _webhook(client: TestClient, tenant: Tenant, kind: str, org: str) -> tuple[str, str]:
    """A webhook endpoint of the org and one delivery to it (a queued ping)."""
    base = f"/api/v1/{kind}/{org}/webhooks"
    endpoint = ok(client.post(base, json={"url": "https://hooks.example.com/daifa"},
                              headers=tenant.person.headers), 201)
    ping = ok(client.post(f"{base}/{endpoint['id']}/test", headers=tenant.person.headers), 202)
    return endpoint["id"], ping["id"]


# --- values for path parameters ------------------------------------------------------------

def _real_inner(world: World, outer: str, name: str) -> str | None:
    """Tenant A's real object for a parameter after the organisation, when the sweep knows one."""
    a = world.a
    if name == "supplier_id":
        return world.counterpart_supplier
    if name == "shop_id":
        return world.counterpart_shop
    endpoint_id, delivery_id = world.webhooks[outer]
    values = {"token": world.invitation_token, "application_id": world.application_id,
              "key_id": str(a.shop_key_id if outer == "shop_id" else a.supplier_key_id),
              "endpoint_id": endpoint_id, "delivery_id": delivery_id}
    return values.get(name)


MISSING_INNER = {"supplier_id": MISSING_SUPPLIER, "shop_id": MISSING_SHOP,
                 "token": "never-issued-" + "x" * 20, "application_id": str(uuid.UUID(int=7)),
                 "key_id": "987654321", "endpoint_id": str(uuid.UUID(int=7)),
                 "delivery_id": str(uuid.UUID(int=7))}


def _placeholder(schema: dict[str, Any]) -> str:
    """A value of the declared type for a parameter the sweep has no real object for."""
    kind = schema.get("type") or next((s.get("type") for s in schema.get("anyOf", [])), None)
    if kind == "integer":
        return "1"
    if schema.get("format") == "uuid":
        return str(uuid.UUID(int=1))
    return str(schema.get("examples", ["x"])[0])


# --- request bodies from the schema ---------------------------------------------------------

class Sample:
    """A minimal valid instance of a JSON schema: required fields only, examples first."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.components = document.get("components", {}).get("schemas", {})

    def of(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.of(self.components[schema["$ref"].rsplit("/", 1)[-1]])
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"]
                return self.of(options[0])
        for key in ("examples", "enum"):
            if schema.get(key):
                return schema[key][0]
        if "default" in schema:
            return schema["default"]
        return self._by_type(schema)

    def _by_type(self, schema: dict[str, Any]) -> Any:
        kind = schema.get("type", "object")
        if kind == "object":
            props = schema.get("properties", {})
            return {name: self.of(props[name]) for name in schema.get("required", [])}
        if kind == "array":
            return [self.of(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
        if kind in ("integer", "number"):
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "boolean":
            return False
        return "x" * max(int(schema.get("minLength", 1)), 1)


@dataclass
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def outer(self) -> str:
        return self.params[0]

    def param_schema(self, name: str) -> dict[str, Any]:
        for param in self.spec.get("parameters", []):
            if param["name"] == name:
                schema: dict[str, Any] = param.get("schema", {})
                return schema
        return {}

    def call(self, client: TestClient, sample: Sample, values: dict[str, str],
             headers: dict[str, str]) -> httpx.Response:
        url = self.path.format(**values)
        query = {p["name"]: sample.of(p.get("schema", {}))
                 for p in self.spec.get("parameters", [])
                 if p["in"] == "query" and p.get("required")}
        kwargs: dict[str, Any] = {"params": query, "headers": headers}
        content = self.spec.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            kwargs["json"] = sample.of(content["application/json"]["schema"])
        elif "multipart/form-data" in content:
            form = sample.of(content["multipart/form-data"]["schema"])
            kwargs["files"] = {name: ("sample.csv", b"a,b\n1,2\n", "text/csv")
                               for name in form}
        return client.request(self.method, url, **kwargs)


def _operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, operations in document["paths"].items():
        if not path.startswith("/api/") or not any(f"{{{p}}}" in path for p in ORG_PARAMS):
            continue
        for method, spec in operations.items():
            yield Operation(method.upper(), path, spec)


@pytest.fixture
def world(client: TestClient) -> World:
    return _world(client)


ATTACKERS: dict[str, Callable[[Tenant, str], dict[str, str] | None]] = {
    "person": lambda t, outer: t.person.headers,
    "shop-key": lambda t, outer: t.shop_key,
    "supplier-key": lambda t, outer: t.supplier_key,
}


def _a_org(world: World, name: str) -> str:
    return world.a.shop_id if name == "shop_id" else world.a.supplier_id


def _b_org(world: World, name: str) -> str:
    return world.b.shop_id if name == "shop_id" else world.b.supplier_id


def _values(op: Operation, world: World, outer_value: str) -> dict[str, str]:
    values = {op.outer: outer_value}
    for name in op.params[1:]:
        values[name] = (_real_inner(world, op.outer, name)
                        or _placeholder(op.param_schema(name)))
    return values


def _sweep_foreign_org(client: TestClient, world: World, op: Operation, sample: Sample,
                       headers: dict[str, str]) -> list[str]:
    missing = MISSING_SHOP if op.outer == "shop_id" else MISSING_SUPPLIER
    malformed = "SH-not-an-id" if op.outer == "shop_id" else "SP-not-an-id"
    foreign = op.call(client, sample, _values(op, world, _a_org(world, op.outer)), headers)
    answers = [op.call(client, sample, _values(op, world, value), headers)
               for value in (missing, malformed)]
    failures = []
    if foreign.status_code != 404:
        failures.append(f"{op.method} {op.path}: {foreign.status_code} {foreign.text[:200]}")
    elif not all(same_problem(foreign, other) for other in answers):
        failures.append(f"{op.method} {op.path}: foreign {foreign.text} != missing "
                        f"{[a.text for a in answers]}")
    return failures


def _attacker_may_use(attacker: str, outer: str) -> bool:
    return attacker == "person" or (attacker == "shop-key") == (outer == "shop_id")


def _sweep_foreign_object(client: TestClient, world: World, op: Operation, sample: Sample,
                          headers: dict[str, str], attacker: str) -> list[str]:
    failures = []
    for name in op.params[1:]:
        real = _real_inner(world, op.outer, name)
        if real is None or name not in MISSING_INNER:
            continue  # objects of later issues: their own suites sweep them
        if name == "key_id" and attacker != "person":
            continue  # API keys never manage keys (403 for any key id; see test_api_keys)
        values = _values(op, world, _b_org(world, op.outer))
        foreign = op.call(client, sample, {**values, name: real}, headers)
        missing = op.call(client, sample, {**values, name: MISSING_INNER[name]}, headers)
        if foreign.status_code != 404 or not same_problem(foreign, missing):
            failures.append(f"{op.method} {op.path} [{name}]: foreign {foreign.status_code} "
                            f"{foreign.text[:200]} / missing {missing.text[:200]}")
    return failures


@pytest.mark.parametrize("attacker", sorted(ATTACKERS))
def test_another_tenants_org_is_404_like_a_missing_one(client: TestClient, world: World,
                                                       attacker: str) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    sample = Sample(document)
    failures: list[str] = []
    swept = 0
    for op in _operations(document):
        if (op.method, op.path) in NOT_TENANT_SCOPED:
            continue
        headers = ATTACKERS[attacker](world.b, op.outer)
        assert headers is not None
        failures += _sweep_foreign_org(client, world, op, sample, headers)
        if _attacker_may_use(attacker, op.outer):
            failures += _sweep_foreign_object(client, world, op, sample, headers, attacker)
        swept += 1
    assert swept >= 20
    assert not failures, "\n".join(failures)


def test_every_org_scoped_endpoint_is_swept_or_listed(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    found = {(op.method, op.path) for op in _operations(document)}
    assert set(NOT_TENANT_SCOPED) <= found, "a listed exception no longer exists"
    for method, path in found - set(NOT_TENANT_SCOPED):
        assert re.search(r"^/api/v1/(shops/{shop_id}|suppliers/{supplier_id})(/|$)", path), (
            f"{method} {path} has an organisation deeper in its path: say in the sweep which "
            "organisation scopes it, or list it in NOT_TENANT_SCOPED with the reason")


def test_tenant_a_still_sees_its_own_objects(client: TestClient, world: World) -> None:
    """The sweep's objects are real: their owner gets them (so the 404s above mean something)."""
    a = world.a
    ok(client.get(f"/api/v1/shops/{a.shop_id}/bindings/{world.counterpart_supplier}/timeline",
                  headers=a.person.headers))
    ok(client.get(f"/api/v1/suppliers/{a.supplier_id}/bindings/{world.counterpart_shop}/"
                  "timeline", headers=a.person.headers))
    incoming = ok(client.get(f"/api/v1/suppliers/{a.supplier_id}/binding-applications",
                             headers=a.supplier_key))["items"]
    assert [i["id"] for i in incoming] == [world.application_id]
    keys = ok(client.get(f"/api/v1/shops/{a.shop_id}/api-keys", headers=a.person.headers))
    assert [k["id"] for k in keys["items"]] == [a.shop_key_id]
    public = ok(client.get(f"/api/v1/invitations/{world.invitation_token}"))
    assert public["status"] == "active"
    for outer, kind, org in (("shop_id", "shops", a.shop_id),
                             ("supplier_id", "suppliers", a.supplier_id)):
        endpoint_id, delivery_id = world.webhooks[outer]
        ok(client.get(f"/api/v1/{kind}/{org}/webhook-deliveries/{delivery_id}",
                      headers=a.person.headers))
        assert [e["id"] for e in ok(client.get(f"/api/v1/{kind}/{org}/webhooks",
                                               headers=a.person.headers))["items"]] \
            == [endpoint_id]


def test_a_strangers_view_of_a_supplier_is_the_public_profile(client: TestClient,
                                                              world: World) -> None:
    for headers in (world.b.person.headers, world.b.shop_key, world.b.supplier_key):
        profile = ok(client.get(f"/api/v1/suppliers/{world.a.supplier_id}", headers=headers))
        assert set(profile) == {"supplier_id", "name", "region", "status", "stars"}
        assert "contact_phone" not in profile
    own = ok(client.get(f"/api/v1/suppliers/{world.a.supplier_id}", headers=world.a.supplier_key))
    assert own["contact_phone"] == "+8613812345678"
    missing = client.get(f"/api/v1/suppliers/{MISSING_SUPPLIER}", headers=world.b.person.headers)
    assert_problem(missing, 404, "SUPPLIER_NOT_FOUND")


def test_review_is_403_for_tenants_whether_or_not_the_supplier_exists(client: TestClient,
                                                                      world: World) -> None:
    for headers in (world.b.person.headers, world.b.shop_key, world.a.person.headers):
        for supplier_id in (world.a.supplier_id, MISSING_SUPPLIER):
            response = client.post(f"/api/v1/admin/suppliers/{supplier_id}/suspend",
                                   headers=headers)
            assert_problem(response, 403, "FORBIDDEN")
