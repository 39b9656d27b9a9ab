"""Logs of `daifa serve` and `daifa worker`: structured, and without secrets or buyer data.

Every line is one JSON object (`timestamp`, `level`, `logger`, `event`, and the record's own
fields; `DAIFA_LOG_FORMAT=text` prints the same as aligned text for a terminal). Before a line
is written a redaction step runs over every field, the message and any exception text:

- invitation tokens in paths (/invite/<token>, /api/v1/invitations/<token>) keep their first
  characters only: a token is a bearer secret;
- mainland mobile numbers keep their first three and last four digits;
- fields named like buyer data (name, phone, address, ...) are replaced outright.

Statement parameters never reach a log (the engine hides them) and nothing logs request
bodies; the redaction is the net under that.
"""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog

LogFormat = Literal["json", "text"]
_SECRET_IN_PATH = re.compile(r"(/invit(?:e|ations)/)([A-Za-z0-9_-]{6})[A-Za-z0-9_-]+")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)\d{4}(\d{4})(?!\d)")
PII_FIELDS = frozenset({"phone", "buyer", "buyer_name", "buyer_phone", "receiver",
                        "recipient", "address", "address_detail", "detail"})
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _MOBILE.sub(r"\1****\2", _SECRET_IN_PATH.sub(r"\1\2…", text))


def redact_event(_logger: Any, _method: str,
                 event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The structlog processor: every field of a line, redacted."""
    event.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
    for key, value in list(event.items()):
        if key.startswith("_"):
            continue
        if key in PII_FIELDS:
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = redact(value)
        elif value is not None and not isinstance(value, bool | int | float):
            event[key] = redact(str(value))
    return event


def config(log_format: LogFormat = "json", level: str = "INFO") -> dict[str, Any]:
    """A logging.config dict for the server (uvicorn's log_config) and the worker alike."""
    renderer: Any = (structlog.processors.JSONRenderer(ensure_ascii=False)
                     if log_format == "json" else structlog.dev.ConsoleRenderer(colors=False))
    stamped = [structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
               structlog.stdlib.ExtraAdder(),
               structlog.processors.TimeStamper(fmt="iso", utc=True)]
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": stamped,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                       structlog.processors.format_exc_info, redact_event, renderer],
    }
    passing = {"handlers": [], "propagate": True, "level": level}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {"uvicorn": passing, "uvicorn.error": passing, "uvicorn.access": passing},
    }


def configure(log_format: LogFormat = "json", level: str = "INFO") -> None:
    logging.config.dictConfig(config(log_format, level))
