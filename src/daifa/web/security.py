"""Cookies and CSRF tokens of the console.

Signed-in forms carry HMAC(secret, session token) in a hidden field: only a page of this site
can know it. Anonymous forms (sign in, sign up) use a signed double submit: a random nonce in a
cookie, and HMAC(secret, nonce) in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_COOKIE = "daifa_session"
ANON_COOKIE = "daifa_csrf"
FLASH_COOKIE = "daifa_flash"
LOCALE_COOKIE = "daifa_locale"
CSRF_FIELD = "csrf"


def _mac(secret: str, purpose: str, value: str) -> str:
    message = f"{purpose}:{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def session_csrf(secret: str, session_token: str) -> str:
    return _mac(secret, "csrf-session", session_token)


def anonymous_csrf(secret: str, nonce: str) -> str:
    return _mac(secret, "csrf-anonymous", nonce)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_ok(secret: str, submitted: str, *, session_token: str | None,
            nonce: str | None) -> bool:
    """Whether a form's token fits the cookies it came with: the session's when signed in."""
    if not submitted:
        return False
    if session_token:
        expected = session_csrf(secret, session_token)
    elif nonce:
        expected = anonymous_csrf(secret, nonce)
    else:
        return False
    return hmac.compare_digest(submitted, expected)


def safe_next(target: str | None, fallback: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, schemes) becomes `fallback`."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if any(ch in target for ch in "\r\n\\"):
        return fallback
    return target
