"""Cookies and CSRF tokens of the console.

Signed-in forms carry HMAC(secret, session token) in a hidden field: only a page of this site
can know it. Anonymous forms (sign in, sign up) use a signed double submit: a random nonce in a
cookie, and HMAC(secret, nonce) in the form. Before the token, a form POST's `Origin` (or its
`Referer` when a browser sent no `Origin`) must be this site: the base URL or the host asked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of a URL (the port spelled out), or None when it has no host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or _DEFAULT_PORTS[scheme]}"


def same_site_post(origin: str | None, referer: str | None, allowed: Iterable[str]) -> bool:
    """Whether a form POST came from one of the `allowed` URLs' origins.

    `Origin` decides when present (``null``, from a sandboxed frame or a redirect, is refused);
    else `Referer`. A request with neither (not a browser, or one that sends neither) passes
    here and is left to the CSRF token.
    """
    claimed = origin if origin is not None else referer
    if claimed is None:
        return True
    source = origin_of(claimed)
    return source is not None and source in {origin_of(url) for url in allowed}
