from __future__ import annotations

import logging

from daifa.api.logs import RedactSecrets, redact


def test_invitation_tokens_are_cut_from_logged_paths() -> None:
    token = "Abc123xyzSECRETSECRETSECRET_-"
    assert redact(f'"GET /invite/{token} HTTP/1.1" 200') == '"GET /invite/Abc123… HTTP/1.1" 200'
    assert redact(f"/api/v1/invitations/{token}/qr.svg") == "/api/v1/invitations/Abc123…/qr.svg"


def test_filter_redacts_access_log_arguments() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "POST",
                               "/api/v1/invitations/Zz9Zz9SECRETSECRET/accept", "1.1", 200),
                               None)
    RedactSecrets().filter(record)
    assert "SECRET" not in record.getMessage()
