"""Logging for `daifa serve`: access lines without secrets in paths.

Invitation links carry their token in the path (/invite/<token>, /api/v1/invitations/<token>);
it is a bearer secret, so access logs show only its first characters. Buyer personal data never
travels in paths or query strings, and nothing logs request bodies.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET_IN_PATH = re.compile(r"(/invit(?:e|ations)/)([A-Za-z0-9_-]{6})[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    return _SECRET_IN_PATH.sub(r"\1\2…", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(str(record.msg))
        return True


def uvicorn_log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {**LOGGING_CONFIG}
    config["filters"] = {"redact": {"()": RedactSecrets}}
    config["handlers"] = {name: {**handler, "filters": ["redact"]}
                          for name, handler in LOGGING_CONFIG["handlers"].items()}
    return config
