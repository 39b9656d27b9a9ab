"""Pure decisions about outbound webhooks: which endpoints want an event, which URLs may be
called, what the signed body looks like, and what a supplier may never be sent."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from daifa.webhooks.errors import (
    UnsafeSupplierPayload,
    WebhookEventTypeInvalid,
    WebhookUrlInvalid,
    WebhookUrlNotAllowed,
)

ALL_EVENTS = "*"
PING = "ping"
MAX_URL_LENGTH = 2048
EXCERPT_BYTES = 1024
# "*", an exact type ("dispatch_order.shipped") or every type of one noun ("dispatch_order.*").
_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$")
_LOCAL_NAMES = ("localhost", "localhost.localdomain")

# Keys that carry a shop's sale prices or a buyer's personal data. An event sent to a supplier
# must not contain them at any depth: suppliers see supply prices and masked recipients only
# (`name_masked`, `phone_masked`, `region`), exactly as in the API.
SHOP_ONLY_KEYS = frozenset({
    "unit_price_fen", "price_fen", "sale_price_fen", "paid_fen", "order_total_fen",
    "buyer", "buyer_name", "buyer_phone", "phone", "address", "recipient_name",
    "recipient_phone", "recipient_address",
})


def check_event_patterns(patterns: Sequence[str]) -> list[str]:
    """The patterns, de-duplicated in order; ``WEBHOOK_EVENT_TYPE_INVALID`` for a bad one."""
    seen: list[str] = []
    for raw in patterns:
        pattern = raw.strip()
        if pattern != ALL_EVENTS and not _PATTERN.fullmatch(pattern):
            raise WebhookEventTypeInvalid(given=raw)
        if pattern not in seen:
            seen.append(pattern)
    if not seen:
        raise WebhookEventTypeInvalid(given="")
    return [ALL_EVENTS] if ALL_EVENTS in seen else seen


def wants(patterns: Iterable[str], event_type: str) -> bool:
    """Whether an endpoint subscribed to ``patterns`` receives ``event_type``."""
    for pattern in patterns:
        if pattern in (ALL_EVENTS, event_type):
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, trimmed, when it may be registered.

    Only absolute http/https URLs with a host. Unless ``allow_private``, a host that is a
    loopback, private, link-local or otherwise non-public IP literal, or ``localhost``, is
    refused here; host names are resolved and checked again before every send.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlInvalid(max_length=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port out of range
    except ValueError as exc:
        raise WebhookUrlInvalid(max_length=MAX_URL_LENGTH) from exc
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookUrlInvalid(max_length=MAX_URL_LENGTH)
    if not allow_private and not host_may_be_public(host):
        raise WebhookUrlNotAllowed(host=host)
    return url


def host_may_be_public(host: str) -> bool:
    """False for names and IP literals that can only be local; True for other names."""
    name = host.strip("[]").lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return False
    try:
        return is_public_address(name)
    except ValueError:
        return True  # a name: checked again once resolved


def is_public_address(address: str) -> bool:
    """A globally routable unicast address (not loopback, private, link-local, reserved ...).

    An IPv6 address that carries an IPv4 one (IPv4-mapped or -compatible, NAT64, 6to4, Teredo)
    reaches that IPv4 address, so it is public only when every IPv4 address it carries is.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        carried = embedded_ipv4(ip)
        if carried:
            return all(_public(v4) for v4 in carried)
    return _public(ip)


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052, IPv4 in the last 32 bits
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215, a network's own translator
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for, if it is one of the transition forms."""
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in _IPV4_COMPATIBLE or ip in _NAT64:
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the Teredo server and the client behind it
    return []


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def unsafe_keys(payload: Any, path: str = "data") -> list[str]:
    """Where a payload carries a key from ``SHOP_ONLY_KEYS`` (dotted paths)."""
    found: list[str] = []
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            where = f"{path}.{key}"
            if key in SHOP_ONLY_KEYS:
                found.append(where)
            found += unsafe_keys(value, where)
    elif isinstance(payload, list | tuple):
        for index, value in enumerate(payload):
            found += unsafe_keys(value, f"{path}[{index}]")
    return found


def require_supplier_safe(payload: Mapping[str, Any]) -> None:
    unsafe = unsafe_keys(payload)
    if unsafe:
        raise UnsafeSupplierPayload(
            f"an event for a supplier may not carry {', '.join(unsafe)}: pass supplier-safe data")


def envelope(event_id: str, event_type: str, created_at: datetime,
             data: Mapping[str, Any]) -> bytes:
    """The body every endpoint receives: ``{id, type, created_at, data}`` as compact JSON."""
    document = {"id": event_id, "type": event_type,
                "created_at": created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"),
                      default=_json_default).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def excerpt(body: bytes, limit: int = EXCERPT_BYTES) -> str:
    """At most ``limit`` bytes of a response body, as text (a cut character is dropped)."""
    return body[:limit].decode("utf-8", errors="ignore")


def secret_hint(secret: str) -> str:
    return f"…{secret[-4:]}"
