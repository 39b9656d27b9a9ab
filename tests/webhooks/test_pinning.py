"""A delivery connects to the address it checked: a name that resolves to a public address for
the check and to a private one afterwards (DNS rebinding) never reaches the private one."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from daifa.webhooks import rules
from daifa.webhooks.delivery import Outgoing, perform
from tests.webhooks.receiver import Receiver

NAME = "hooks.example.test"
PUBLIC = "93.184.216.34"


class FakeDns:
    """Answers NAME with the scripted addresses in turn (the last repeats); IP literals with
    themselves. Installed as socket.getaddrinfo, so every lookup in the process goes through it.
    """

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.asked.append(name)
        if name == NAME:
            name = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return self.real(name, port, *args, **kwargs)


def _out(hook: Receiver) -> Outgoing:
    port = hook.url.split(":")[2].split("/")[0]
    return Outgoing(delivery_pk=1, attempt=1, failures=0, url=f"http://{NAME}:{port}/hooks",
                    body=b"{}", timeout=0.5, allow_private=False)


def test_a_rebinding_name_is_not_followed_to_a_private_address(
        hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    dns = FakeDns(PUBLIC, "127.0.0.1")
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    connected: list[tuple[str, int]] = []
    real_connect = socket.create_connection

    def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        connected.append(address)
        if address[0] == PUBLIC:  # stands in for the internet: nobody answers there
            raise ConnectionRefusedError("refused")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    outcome = perform(_out(hook))
    assert hook.received == []  # never rebound to the local receiver
    assert not outcome.succeeded and outcome.error is not None
    assert [host for host, _ in connected] == [PUBLIC]
    assert dns.asked.count(NAME) == 1


def test_the_checked_address_is_used_and_the_host_header_keeps_the_name(
        hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    # The local receiver plays a public server: 127.0.0.1 counts as public in this test only,
    # and the name would resolve somewhere unreachable if it were looked up a second time.
    dns = FakeDns("127.0.0.1", "10.255.255.1")
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    monkeypatch.setattr(rules, "is_public_address", _only_loopback_is_public)
    outcome = perform(_out(hook))
    assert outcome.succeeded and outcome.status_code == 200, outcome
    [received] = hook.received
    port = hook.url.split(":")[2].split("/")[0]
    assert received.headers["Host"] == f"{NAME}:{port}"
    assert dns.asked.count(NAME) == 1


def _only_loopback_is_public(address: str) -> bool:
    ipaddress.ip_address(address)  # a name raises, as it does for the real check
    return address == "127.0.0.1"


def test_a_name_with_any_private_address_is_refused(
        hook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", FakeDns("::127.0.0.1"))
    outcome = perform(_out(hook))
    assert not outcome.succeeded and outcome.error is not None
    assert "resolves to ::127.0.0.1, not a public address" in outcome.error
    assert hook.received == []
