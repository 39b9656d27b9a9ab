"""Pure webhook rules: subscriptions, URLs, the body, what a supplier may never be sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from daifa.webhooks import rules
from daifa.webhooks.errors import (
    UnsafeSupplierPayload,
    WebhookEventTypeInvalid,
    WebhookUrlInvalid,
    WebhookUrlNotAllowed,
)
from daifa.webhooks.states import DELIVERY_TRANSITIONS, DeliveryStatus


@pytest.mark.parametrize(("patterns", "event_type", "expected"), [
    (["*"], "dispatch_order.shipped", True),
    (["*"], "ping", True),
    (["dispatch_order.shipped"], "dispatch_order.shipped", True),
    (["dispatch_order.shipped"], "dispatch_order.accepted", False),
    (["dispatch_order.*"], "dispatch_order.accepted", True),
    (["dispatch_order.*"], "dispatch_orders.accepted", False),
    (["dispatch_order.*"], "order.created", False),
    (["order.created", "dispatch_order.shipped"], "dispatch_order.shipped", True),
])
def test_an_endpoint_wants_the_types_it_subscribed_to(patterns: list[str], event_type: str,
                                                      expected: bool) -> None:
    assert rules.wants(patterns, event_type) is expected


def test_event_patterns_are_checked_and_deduplicated() -> None:
    assert rules.check_event_patterns([" dispatch_order.shipped", "dispatch_order.shipped"]) \
        == ["dispatch_order.shipped"]
    assert rules.check_event_patterns(["dispatch_order.*", "*"]) == ["*"]
    for bad in (["Dispatch.Shipped"], ["dispatch_order.*.x"], ["*.*"], [""], ["a b"], []):
        with pytest.raises(WebhookEventTypeInvalid):
            rules.check_event_patterns(bad)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/hook", "https://",
                                 "javascript:alert(1)", "http://example.com:99999/",
                                 "https://" + "a" * 2050 + ".com"])
def test_only_absolute_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(WebhookUrlInvalid):
        rules.check_url(url, allow_private=True)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "http://localhost/x",
                                 "http://api.localhost/x", "https://10.1.2.3/x",
                                 "https://192.168.1.10/x", "http://169.254.169.254/latest",
                                 "http://[::1]/x", "http://[::ffff:127.0.0.1]/x",
                                 "http://0.0.0.0/x", "http://100.64.0.1/x"])
def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(WebhookUrlNotAllowed):
        rules.check_url(url, allow_private=False)
    assert rules.check_url(url, allow_private=True) == url


def test_public_targets_and_names_pass() -> None:
    assert rules.check_url(" https://hooks.example.com/daifa ", allow_private=False) \
        == "https://hooks.example.com/daifa"
    assert rules.check_url("http://8.8.8.8/x", allow_private=False) == "http://8.8.8.8/x"
    assert rules.is_public_address("2606:4700::1111")
    assert not rules.is_public_address("fd00::1")
    assert not rules.is_public_address("224.0.0.1")


def test_the_envelope_is_id_type_created_at_data() -> None:
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    body = rules.envelope("e1", "dispatch_order.shipped", at, {"no": "DO1", "at": at, "名": "顺丰"})
    assert json.loads(body) == {"id": "e1", "type": "dispatch_order.shipped",
                                "created_at": "2026-11-25T02:00:00Z",
                                "data": {"no": "DO1", "at": "2026-11-25T02:00:00Z",
                                         "名": "顺丰"}}
    assert "顺丰".encode() in body  # UTF-8, not \\u escapes


def test_supplier_payloads_may_not_carry_sale_prices_or_buyer_data() -> None:
    safe = {"dispatch_order_no": "DO1", "lines": [{"sku_code": "A", "supply_price_fen": 100}],
            "recipient": {"region": "浙江省 杭州市", "name_masked": "张*",
                          "phone_masked": "138****5678"}}
    rules.require_supplier_safe(safe)
    leaky = {**safe, "lines": [{"sku_code": "A", "unit_price_fen": 990}]}
    with pytest.raises(UnsafeSupplierPayload, match=r"data\.lines\[0\]\.unit_price_fen"):
        rules.require_supplier_safe(leaky)
    with pytest.raises(UnsafeSupplierPayload, match=r"data\.buyer"):
        rules.require_supplier_safe({"buyer": {"name": "张三"}})
    with pytest.raises(UnsafeSupplierPayload, match=r"recipient\.phone"):
        rules.require_supplier_safe({"recipient": {"phone": "13812345678"}})


def test_excerpt_keeps_at_most_one_kilobyte_of_text() -> None:
    assert rules.excerpt(b"x" * 5000) == "x" * 1024
    cut = rules.excerpt("顺".encode() * 400)  # 3 bytes each: the 342nd is cut
    assert cut == "顺" * 341 and len(cut.encode()) <= 1024


def test_delivery_transitions() -> None:
    d = DeliveryStatus
    assert DELIVERY_TRANSITIONS.next(d.PENDING, "succeed").target is d.SUCCEEDED
    assert DELIVERY_TRANSITIONS.next(d.PENDING, "retry").target is d.PENDING
    assert DELIVERY_TRANSITIONS.next(d.PENDING, "give_up").target is d.FAILED
    assert DELIVERY_TRANSITIONS.next(d.FAILED, "redeliver").target is d.PENDING
    assert DELIVERY_TRANSITIONS.next(d.SUCCEEDED, "redeliver").target is d.PENDING
    assert not DELIVERY_TRANSITIONS.allows(d.PENDING, "redeliver")


@pytest.mark.parametrize("address", [
    "::127.0.0.1", "::7f00:1", "::10.0.0.1", "::ffff:169.254.169.254",  # compatible, mapped
    "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe",  # NAT64
    "64:ff9b:1::8.8.8.8",  # a network's own NAT64 prefix: never public
    "2002:7f00:1::1", "2002:a00:1::",  # 6to4 around 127.0.0.1 and 10.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo to 192.0.2.45 (documentation range)
    "2001:0:808:808:0:0:80ff:fffe",  # Teredo to 127.0.0.1 behind a public server
])
def test_ipv6_forms_of_a_private_ipv4_address_are_not_public(address: str) -> None:
    assert not rules.is_public_address(address)
    with pytest.raises(WebhookUrlNotAllowed):
        rules.check_url(f"http://[{address}]/x", allow_private=False)


@pytest.mark.parametrize("address", ["::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::8.8.8.8",
                                     "2002:808:808::1", "2001:0:808:808:0:0:f7f7:f7f7"])
def test_ipv6_forms_of_a_public_ipv4_address_stay_public(address: str) -> None:
    assert rules.is_public_address(address)
