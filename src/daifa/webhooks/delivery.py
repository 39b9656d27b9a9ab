"""Sending one delivery: the worker job ``webhooks.deliver``.

It runs in three steps so no database transaction is open while a remote server takes its
time (on SQLite a writer holds the one write lock): ``prepare`` reads the delivery and signs its
body, ``perform`` POSTs it outside any transaction, ``record`` writes the attempt to the log and
moves the delivery (succeeded, a retry on the backoff schedule of ``webhooks.signing``, or
failed once the 24 h schedule is used up). The worker wires the three together.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from sqlalchemy import select

from daifa import __version__
from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.jobs import service as jobs
from daifa.webhooks import rules, signing
from daifa.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from daifa.webhooks.states import DELIVERY_TRANSITIONS, DeliveryStatus

DELIVER_JOB = "webhooks.deliver"
SIGNATURE_HEADER = "Daifa-Signature"
EVENT_HEADER = "Daifa-Event"
DELIVERY_HEADER = "Daifa-Delivery"
USER_AGENT = f"daifa-webhooks/{__version__}"
ROTATION_OVERLAP = timedelta(hours=24)


class TargetRefused(Exception):
    """The endpoint's host resolves to an address webhooks may not reach."""


Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """The addresses a host name has now (an IP literal is its own address)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def queue(ctx: Ctx, delivery_pk: int, run_at: datetime | None = None) -> None:
    """Enqueue the next attempt of a delivery (in the caller's transaction)."""
    jobs.enqueue(ctx, DELIVER_JOB, {"delivery": delivery_pk}, run_at=run_at)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while a rotation's overlap lasts."""
    secrets = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        secrets.append(endpoint.previous_secret)
    return secrets


@dataclass(frozen=True)
class Outgoing:
    delivery_pk: int
    attempt: int  # the number this attempt gets
    failures: int  # failed attempts so far in this round
    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 5.0
    allow_private: bool = False
    refusal: str | None = None  # set when the delivery must not be sent at all


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    duration_ms: int = 0
    status_code: int | None = None
    error: str | None = None
    excerpt: str = ""


def prepare(ctx: Ctx, payload: dict[str, Any]) -> Outgoing | None:
    """What to send for the job's delivery, signed now; None when it is no longer pending."""
    row = ctx.session.execute(
        select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_pk)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_pk)
        .where(WebhookDelivery.id == int(payload["delivery"]))
    ).first()
    if row is None or row[0].status != DeliveryStatus.PENDING:
        return None
    delivery, endpoint, event = row
    now = ctx.now()
    body = event.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signing.sign(signing_secrets(endpoint, now), body,
                                       int(now.timestamp())),
        EVENT_HEADER: event.type,
        DELIVERY_HEADER: str(delivery.public_id),
    }
    refusal = None
    if endpoint.deleted_at is not None:
        refusal = "not sent: the endpoint was deleted"
    elif not endpoint.enabled:
        refusal = "not sent: the endpoint is disabled"
    return Outgoing(delivery.id, delivery.attempts + 1, delivery.failures, endpoint.url, body,
                    headers, ctx.settings.webhook_timeout_seconds,
                    ctx.settings.webhook_allow_private, refusal)


def perform(out: Outgoing, resolver: Resolver = resolve) -> Outcome:
    """POST the body; never raises for what the network or the endpoint does.

    Unless private targets are allowed, the host is resolved once, every address checked, and
    the connection made to those checked addresses only: a name that answers differently the
    second time (DNS rebinding) is never looked up again. The URL keeps the name, so the Host
    header, TLS SNI and certificate checks are for the name.
    """
    if out.refusal is not None:
        return Outcome(False, error=out.refusal)
    started = time.monotonic()
    try:
        transport = None if out.allow_private else PinnedTransport(
            _require_public(out.url, resolver))
        with httpx.Client(timeout=out.timeout, follow_redirects=False,
                          transport=transport) as client, \
                client.stream("POST", out.url, content=out.body, headers=out.headers) as reply:
            head = _read_head(reply)
            code = reply.status_code
    except TargetRefused as exc:
        return Outcome(False, _ms(started), error=str(exc))
    except httpx.TimeoutException:
        return Outcome(False, _ms(started), error=f"timed out after {out.timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, _ms(started), error=f"{type(exc).__name__}: {exc}"[:500])
    error = None if 200 <= code < 300 else f"HTTP {code}"
    return Outcome(error is None, _ms(started), code, error, rules.excerpt(head))


class _PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections to the given addresses, in order, whatever host is asked for."""

    def __init__(self, addresses: Sequence[str]) -> None:
        self._addresses = list(addresses)
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in self._addresses:
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address,
                                               socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address to connect to for {host}")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections go to checked addresses only; TLS is still set up
    for the URL's host name (SNI and certificate verification). No environment proxy is used:
    a proxy would resolve the name again."""

    def __init__(self, addresses: Sequence[str]) -> None:
        super().__init__(trust_env=False)
        # httpx builds its connection pool without a way to pass a network backend in.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PinnedBackend(addresses))


def _read_head(reply: httpx.Response) -> bytes:
    head = b""
    for chunk in reply.iter_bytes():
        head += chunk
        if len(head) >= rules.EXCERPT_BYTES:
            break
    return head


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _require_public(url: str, resolver: Resolver) -> list[str]:
    """The addresses the URL's host has now, each of them public; else ``TargetRefused``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not rules.host_may_be_public(host):
        raise TargetRefused(f"not sent: {host} is not a public address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(host, port)
    except OSError as exc:
        raise TargetRefused(f"not sent: cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise TargetRefused(f"not sent: cannot resolve {host}")
    for address in addresses:
        if not rules.is_public_address(address):
            raise TargetRefused(f"not sent: {host} resolves to {address}, not a public address")
    return addresses


def record(ctx: Ctx, out: Outgoing, outcome: Outcome) -> None:
    """Log the attempt and move the delivery: succeeded, retry later, or failed."""
    now = ctx.now()
    failures = out.failures + (0 if outcome.succeeded else 1)
    delay = None if outcome.succeeded or out.refusal else signing.redelivery_delay(failures)
    action = "succeed" if outcome.succeeded else ("retry" if delay is not None else "give_up")
    next_at = now + timedelta(seconds=delay) if delay is not None else None
    if not audit.shift(ctx.session, DELIVERY_TRANSITIONS, WebhookDelivery, out.delivery_pk,
                       DeliveryStatus.PENDING, action,
                       where=[WebhookDelivery.attempts == out.attempt - 1],
                       attempts=out.attempt, failures=failures, next_attempt_at=next_at,
                       last_status_code=outcome.status_code, last_error=outcome.error,
                       finished_at=None if next_at else now):
        return  # another worker recorded this attempt first
    ctx.session.add(WebhookAttempt(
        delivery_pk=out.delivery_pk, number=out.attempt, at=now, succeeded=outcome.succeeded,
        status_code=outcome.status_code, duration_ms=outcome.duration_ms, error=outcome.error,
        response_excerpt=outcome.excerpt))
    if next_at is not None:
        queue(ctx, out.delivery_pk, next_at)
