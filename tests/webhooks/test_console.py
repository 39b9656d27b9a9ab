"""The console's webhook pages: register (secret shown once), disable, test, the delivery log
with redelivery, rotation; for a shop and for a supplier; other tenants get 404."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import ok
from tests.web.conftest import Visitor, text_of
from tests.webhooks.receiver import Receiver, Reply


def _merchant(api: TestClient, console_for: Callable[[str], Visitor]
              ) -> tuple[factories.Person, str, Visitor]:
    person = factories.person(api)
    shop_id = factories.shop(api, person, name="小王的好物店")
    return person, shop_id, console_for(person.login)


def _secret(response_text: str) -> str:
    found = re.search(r'value="(whsec_[^"]+)"[^>]*data-testid="webhook-secret"', response_text)
    assert found, response_text
    return found.group(1)


def test_a_shop_registers_an_endpoint_and_sees_the_secret_once(
        api: TestClient, console_for: Callable[[str], Visitor], hook: Receiver) -> None:
    person, shop_id, console = _merchant(api, console_for)
    shop_page = console.get(f"/shops/{shop_id}")
    assert f'href="/shops/{shop_id}/webhooks"' in shop_page.text
    response = console.submit(f"/shops/{shop_id}/webhooks",
                              {"url": hook.url, "event_types": "dispatch_order.shipped, ping",
                               "description": "ERP"}, csrf_from=f"/shops/{shop_id}/webhooks")
    assert response.status_code == 200
    secret = _secret(response.text)
    [endpoint] = ok(api.get(f"/api/v1/shops/{shop_id}/webhooks",
                            headers=person.headers))["items"]
    assert endpoint["event_types"] == ["dispatch_order.shipped", "ping"]
    assert endpoint["secret_hint"] == "…" + secret[-4:]
    listing = console.get(f"/shops/{shop_id}/webhooks")
    assert hook.url in listing.text and secret not in listing.text
    detail = console.get(f"/shops/{shop_id}/webhooks/{endpoint['id']}")
    assert secret not in detail.text and "还没有向这个地址推送过" in text_of(detail)


def test_a_bad_url_comes_back_with_its_code(api: TestClient,
                                            console_for: Callable[[str], Visitor]) -> None:
    _person, shop_id, console = _merchant(api, console_for)
    response = console.submit(f"/shops/{shop_id}/webhooks", {"url": "ftp://x.example"},
                              csrf_from=f"/shops/{shop_id}/webhooks")
    assert response.url.path == f"/shops/{shop_id}/webhooks"
    assert 'data-testid="webhook-code">WEBHOOK_URL_INVALID<' in response.text
    assert 'value="ftp://x.example"' in response.text  # what was typed is kept


def test_test_event_log_and_redeliver(api: TestClient, console_for: Callable[[str], Visitor],
                                      hook: Receiver, worker: Worker,
                                      clock: FrozenClock) -> None:
    person, shop_id, console = _merchant(api, console_for)
    created = ok(api.post(f"/api/v1/shops/{shop_id}/webhooks", json={"url": hook.url},
                          headers=person.headers), 201)
    page_url = f"/shops/{shop_id}/webhooks/{created['id']}"
    hook.script(Reply(500, b"boom"), Reply(200, b"fine"))
    sent = console.submit(f"{page_url}/test", csrf_from=page_url)
    assert sent.url.path == page_url and 'data-testid="flash-success"' in sent.text
    worker.run_due_jobs()
    log = console.get(page_url)
    [delivery_id] = re.findall(r'data-testid="delivery-([0-9a-f-]{36})"', log.text)
    assert "ping" in text_of(log) and "boom" in log.text
    assert f'data-testid="redeliver-{delivery_id}"' not in log.text  # pending: no button yet
    clock.advance(timedelta(seconds=30))
    worker.run_due_jobs()
    log = console.get(page_url)
    assert f'data-testid="redeliver-{delivery_id}"' in log.text
    again = console.submit(f"/shops/{shop_id}/webhook-deliveries/{delivery_id}/redeliver",
                           csrf_from=page_url)
    assert again.url.path == page_url and 'data-testid="flash-success"' in again.text
    worker.run_due_jobs()
    assert len(hook.received) == 3
    assert 'data-status="succeeded"' in console.get(page_url).text


def test_disable_rotate_and_delete(api: TestClient, console_for: Callable[[str], Visitor],
                                   hook: Receiver) -> None:
    person, shop_id, console = _merchant(api, console_for)
    created = ok(api.post(f"/api/v1/shops/{shop_id}/webhooks", json={"url": hook.url},
                          headers=person.headers), 201)
    page_url = f"/shops/{shop_id}/webhooks/{created['id']}"
    console.submit(f"{page_url}/disable", csrf_from=page_url)
    assert ok(api.get(f"/api/v1/shops/{shop_id}/webhooks",
                      headers=person.headers))["items"][0]["enabled"] is False
    refused = console.submit(f"{page_url}/test", csrf_from=page_url)
    assert 'data-testid="webhook-actions-code">WEBHOOK_ENDPOINT_DISABLED<' in refused.text
    rotated = console.submit(f"{page_url}/rotate", csrf_from=page_url)
    assert _secret(rotated.text) != created["secret"]
    assert 'data-testid="rotation-note"' in rotated.text
    gone = console.submit(f"{page_url}/delete", csrf_from=page_url)
    assert gone.url.path == f"/shops/{shop_id}/webhooks"
    assert ok(api.get(f"/api/v1/shops/{shop_id}/webhooks", headers=person.headers)) == {
        "items": []}


def test_a_supplier_has_the_same_pages(api: TestClient,
                                       console_for: Callable[[str], Visitor],
                                       hook: Receiver) -> None:
    platform = factories.admin(api)
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner, approve_with=platform)
    console = console_for(owner.login)
    assert f'href="/suppliers/{supplier_id}/webhooks"' in console.get(
        f"/suppliers/{supplier_id}").text
    response = console.submit(f"/suppliers/{supplier_id}/webhooks", {"url": hook.url},
                              csrf_from=f"/suppliers/{supplier_id}/webhooks")
    assert _secret(response.text)
    assert len(ok(api.get(f"/api/v1/suppliers/{supplier_id}/webhooks",
                          headers=owner.headers))["items"]) == 1


def test_other_tenants_get_404_pages(api: TestClient, console_for: Callable[[str], Visitor],
                                     hook: Receiver) -> None:
    person, shop_id, _console = _merchant(api, console_for)
    created = ok(api.post(f"/api/v1/shops/{shop_id}/webhooks", json={"url": hook.url},
                          headers=person.headers), 201)
    _stranger, their_shop, their_console = _merchant(api, console_for)
    assert their_console.get(f"/shops/{shop_id}/webhooks").status_code == 404
    assert their_console.get(f"/shops/{their_shop}/webhooks/{created['id']}").status_code \
        == 404
    for action in ("delete", "disable", "rotate", "test"):
        refused = their_console.submit(f"/shops/{their_shop}/webhooks/{created['id']}/{action}",
                                       csrf_from=f"/shops/{their_shop}/webhooks", follow=False)
        assert refused.status_code == 404
    edit = their_console.submit(f"/shops/{their_shop}/webhooks/{created['id']}",
                                {"url": hook.url}, csrf_from=f"/shops/{their_shop}/webhooks",
                                follow=False)
    assert edit.status_code == 404
    assert len(ok(api.get(f"/api/v1/shops/{shop_id}/webhooks",
                          headers=person.headers))["items"]) == 1
