"""Log lines are structured and carry no secrets or buyer data: a canary phone number, name
and invitation token go through every way a line is made, and come out masked."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from daifa.api import logs

TOKEN = "Abc123xyzSECRETSECRETSECRET_-"
PHONE = "13700009999"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The real configuration, writing to a buffer; the test run's logging put back after."""
    saved = logging.root.handlers[:], logging.root.level
    config = logs.config("json", "DEBUG")
    config["handlers"]["stderr"]["stream"] = io.StringIO()
    logging.config.dictConfig(config)
    stream = logging.root.handlers[0].stream  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        for handler in logging.root.handlers:
            logging.root.removeHandler(handler)
        for handler in saved[0]:
            logging.root.addHandler(handler)
        logging.root.setLevel(saved[1])


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_invitation_tokens_are_cut_from_logged_paths() -> None:
    assert (logs.redact(f'"GET /invite/{TOKEN} HTTP/1.1" 200')
            == '"GET /invite/Abc123… HTTP/1.1" 200')
    assert (logs.redact(f"/api/v1/invitations/{TOKEN}/qr.svg")
            == "/api/v1/invitations/Abc123…/qr.svg")


def test_mobile_numbers_keep_only_their_ends() -> None:
    assert logs.redact(f"call {PHONE} or +86{PHONE}") == "call 137****9999 or +86137****9999"
    assert logs.redact("order 3721456789012345678") == "order 3721456789012345678"


def test_access_lines_are_json_without_the_token(captured: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "POST",
        f"/api/v1/invitations/{TOKEN}/accept", "1.1", 200)
    [line] = lines(captured)
    assert line["logger"] == "uvicorn.access" and line["level"] == "info"
    assert "timestamp" in line and "Abc123…" in str(line["event"])
    assert "SECRET" not in captured.getvalue()


def test_the_canary_is_masked_in_messages_fields_and_exceptions(
        captured: io.StringIO) -> None:
    log = logging.getLogger("daifa.api")
    log.warning("buyer %s could not be reached", PHONE)
    log.info("recipient changed",
             extra={"buyer_name": "金丝雀", "buyer_phone": PHONE, "order": "7"})
    try:
        raise ValueError(f"bad phone {PHONE}")
    except ValueError:
        log.exception("unexpected error on POST /api/v1/shops/SH1/orders")
    text = captured.getvalue()
    assert PHONE not in text and "金丝雀" not in text
    first, second, third = lines(captured)
    assert first["event"] == "buyer 137****9999 could not be reached"
    assert second["buyer_name"] == logs.REDACTED and second["order"] == "7"
    assert third["level"] == "error" and "ValueError: bad phone 137****9999" in str(
        third["exception"])
