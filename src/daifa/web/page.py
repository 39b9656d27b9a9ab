"""One console request: locale, session cookie, CSRF, flash messages, unit of work, rendering.

Every console route takes a `Page` (or a `FormPage`, whose CSRF token was checked) and does its
work inside `with page.ctx(write=...) as ctx:` — one unit of work per request, exactly like the
API's `Call`. Domain errors raised there become an error page; inside `page.attempt(ctx)` they
become a flash message next to the form instead, and the rest of the request goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature
from jinja2_fragments import render_block
from pydantic import ValidationError
from sqlalchemy.orm import Session

from daifa.context import Actor, Ctx, Scope
from daifa.errors import DaifaError, Forbidden, InvalidText
from daifa.hub import Hub
from daifa.identity import service as identity
from daifa.identity.errors import InvalidToken
from daifa.kit import inputs
from daifa.web import security
from daifa.web.messages import Explained, explain, invalid_form
from daifa.web.render import Console

R = TypeVar("R", bound=Response)
ANONYMOUS = Actor(scope=Scope.PERSON, label="anonymous")
YEAR = 365 * 24 * 3600
# Console pages are personal and may show secrets once (API keys, invitation links): never cache
# them, never frame them, and keep invitation tokens in URLs out of other sites' Referer. Scripts
# and styles come from this site's own files only: no inline script or style, no eval (the CSP
# build of Alpine.js, htmx told not to eval or inject styles); Pico CSS draws its icons with
# data: images. See docs/adr/0006-console-csp.md. (`X-Content-Type-Options` and HSTS are set on
# every response of the app, API included, by `daifa.app`.)
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
}


@dataclass
class Flash:
    kind: str  # success | error | info
    text: str
    code: str | None = None
    form: str | None = None  # shown next to that form instead of at the top of the page
    values: dict[str, str] = field(default_factory=dict)  # what was typed, to fill it in again


@dataclass
class Outcome:
    """How an attempted action went; `ok` is False once it raised a domain error."""

    ok: bool = True
    error: Explained | None = None


class SignInRequired(Exception):
    def __init__(self, page: Page) -> None:
        super().__init__("sign-in required")
        self.page = page


class ConsoleError(Exception):
    """A domain error that ends the request with an error page (404 for another tenant's)."""

    def __init__(self, page: Page, error: DaifaError) -> None:
        super().__init__(error.detail)
        self.page = page
        self.error = error


class Page:
    def __init__(self, request: Request) -> None:
        self.request = request
        self.hub: Hub = request.app.state.hub
        self.console: Console = request.app.state.console
        cookies = request.cookies
        self.locale = self.console.locale_for(cookies.get(security.LOCALE_COOKIE))
        self.session_token = cookies.get(security.SESSION_COOKIE) or None
        self.nonce = cookies.get(security.ANON_COOKIE) or None
        self.actor = ANONYMOUS
        self.incoming = self._read_flashes(cookies.get(security.FLASH_COOKIE))
        self.outgoing: list[Flash] = []
        self._shown = False
        self._set_cookies: dict[str, tuple[str, int | None]] = {}
        self._delete_cookies: set[str] = set()
        self._slide_to: datetime | None = None

    # --- words ----------------------------------------------------------------------------

    def gettext(self, message: str, **values: Any) -> str:
        text = self.console.translations[self.locale].gettext(message)
        return text % values if values else text

    @property
    def signed_in(self) -> bool:
        return self.actor.account_id is not None

    @property
    def here(self) -> str:
        query = self.request.url.query
        return self.request.url.path + (f"?{query}" if query else "")

    # --- the unit of work -------------------------------------------------------------------

    @contextmanager
    def ctx(self, *, write: bool = False, signed_in: bool = True) -> Iterator[Ctx]:
        """One unit of work; the actor comes from the session cookie."""
        try:
            with self.hub.db.unit_of_work(write=write) as session:
                self.actor = self._resolve(session, write)
                if signed_in and not self.signed_in:
                    raise SignInRequired(self)
                yield self.hub.ctx(session, self.actor)
        except DaifaError as exc:
            raise ConsoleError(self, exc) from exc
        self._slide_later()

    def _resolve(self, session: Session, write: bool) -> Actor:
        if self.session_token is None:
            return ANONYMOUS
        try:
            found = identity.console_session(session, self.session_token, self.hub.clock,
                                             self.hub.settings)
        except InvalidToken:  # expired, revoked, or not a console session (an API token)
            self.forget_session()
            return ANONYMOUS
        if found.slide_to is not None:
            if write:
                identity.slide(session, self.session_token, found.slide_to, self.hub.clock)
            else:
                self._slide_to = found.slide_to
        return found.actor

    def _slide_later(self) -> None:
        """Move a read-only request's session expiry on, in a short write of its own."""
        if self._slide_to is None or self.session_token is None:
            return
        with self.hub.db.unit_of_work() as session:
            identity.slide(session, self.session_token, self._slide_to, self.hub.clock)
        self._slide_to = None

    @contextmanager
    def attempt(self, ctx: Ctx, *, form: str | None = None,
                values: dict[str, str] | None = None) -> Iterator[Outcome]:
        """Run an action in a savepoint; a domain error becomes a flash next to `form`."""
        outcome = Outcome()
        savepoint = ctx.session.begin_nested()
        try:
            yield outcome
        except (DaifaError, ValidationError) as exc:
            error = invalid_form(exc) if isinstance(exc, ValidationError) else exc
            if error.keep_changes:  # e.g. a failed sign-in still counts
                savepoint.commit()
            else:
                savepoint.rollback()
            outcome.ok = False
            outcome.error = self.fail(error, form=form, values=values)
        else:
            savepoint.commit()

    # --- flash messages -------------------------------------------------------------------

    def flash(self, kind: str, text: str, *, code: str | None = None, form: str | None = None,
              values: dict[str, str] | None = None) -> None:
        kept = {k: v[:500] for k, v in (values or {}).items()}
        self.outgoing.append(Flash(kind, text, code, form, kept))

    def fail(self, error: DaifaError, *, form: str | None = None,
             values: dict[str, str] | None = None) -> Explained:
        explained = explain(error, self.gettext)
        self.flash("error", explained.text, code=explained.code, form=form, values=values)
        return explained

    def flashes(self, form: str | None = None) -> list[Flash]:
        """Messages to show now: at the top of the page (form=None) or next to one form."""
        return [f for f in self.incoming + self.outgoing if f.form == form]

    def value(self, form: str, name: str, default: str = "") -> str:
        """What was typed into a form before it came back with an error."""
        for item in reversed(self.incoming + self.outgoing):
            if item.form == form and name in item.values:
                return item.values[name]
        return default

    def _read_flashes(self, raw: str | None) -> list[Flash]:
        if not raw:
            return []
        try:
            items = self.console.flash_signer.loads(raw)
        except BadSignature:
            return []
        return [Flash(**item) for item in items if isinstance(item, dict)]

    # --- CSRF and the session cookie -------------------------------------------------------

    @property
    def csrf(self) -> str:
        """The token for forms on this page: bound to the session, else to a nonce cookie."""
        if self.signed_in and self.session_token:
            return security.session_csrf(self.console.secret, self.session_token)
        if self.nonce is None:
            self.nonce = security.new_nonce()
            self._set_cookies[security.ANON_COOKIE] = (self.nonce, None)
        return security.anonymous_csrf(self.console.secret, self.nonce)

    def check_origin(self) -> None:
        """Refuse a form POST that another site made the browser send."""
        request = self.request
        here = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        if not security.same_site_post(request.headers.get("origin"),
                                       request.headers.get("referer"),
                                       (self.hub.settings.base_url, here)):
            raise ConsoleError(self, Forbidden(code="CROSS_SITE_POST"))

    def check_csrf(self, submitted: str) -> None:
        if not security.csrf_ok(self.console.secret, submitted,
                                session_token=self.session_token, nonce=self.nonce):
            raise ConsoleError(self, Forbidden(code="CSRF_FAILED"))

    def start_session(self, secret: str) -> None:
        self.session_token = secret
        self._set_cookies[security.SESSION_COOKIE] = (
            secret, self.hub.settings.session_days * 24 * 3600)

    def forget_session(self) -> None:
        self.session_token = None
        self._set_cookies.pop(security.SESSION_COOKIE, None)
        self._delete_cookies.add(security.SESSION_COOKIE)

    def choose_locale(self, locale: str) -> None:
        self.locale = self.console.locale_for(locale)
        self._set_cookies[security.LOCALE_COOKIE] = (self.locale, YEAR)

    # --- responses ------------------------------------------------------------------------

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.console.env(self.locale).get_template(template).render(page=self, **context)
        self._shown = True
        return self.finish(HTMLResponse(html, status_code=status_code))

    def fragment(self, template: str, block: str, **context: Any) -> HTMLResponse:
        """One block of a template, for htmx to swap in; flash messages stay queued."""
        html = render_block(self.console.env(self.locale), template, block, page=self, **context)
        return self.finish(HTMLResponse(html))

    def redirect(self, url: str) -> RedirectResponse:
        return self.finish(RedirectResponse(url, status_code=303))

    def sign_in_url(self) -> str:
        target = self.here if self.request.method == "GET" else "/"
        return f"/signin?next={quote(target, safe='/')}"

    def finish(self, response: R) -> R:
        settings = self.hub.settings
        response.headers.update(SECURITY_HEADERS)
        for name in self._delete_cookies:
            response.delete_cookie(name, path="/", httponly=True, samesite="lax",
                                   secure=settings.cookie_secure)
        for name, (value, max_age) in self._set_cookies.items():
            response.set_cookie(name, value, max_age=max_age, path="/", httponly=True,
                                samesite="lax", secure=settings.cookie_secure)
        pending = self.outgoing + ([] if self._shown else self.incoming)
        if pending:
            payload = self.console.flash_signer.dumps([asdict(f) for f in pending])
            response.set_cookie(security.FLASH_COOKIE, payload, path="/", httponly=True,
                                samesite="lax", secure=settings.cookie_secure)
        elif self.incoming:
            response.delete_cookie(security.FLASH_COOKIE, path="/", httponly=True,
                                   samesite="lax", secure=settings.cookie_secure)
        return response


def _check_text(current: Page, fields: Iterator[tuple[str, Any]]) -> None:
    """No NUL character or unpaired surrogate in a parameter or a form field: no database
    column takes one, so it is refused here, once, for every page."""
    for name, value in fields:
        if isinstance(value, str) and (inputs.bad_text(name) or inputs.bad_text(value)):
            raise ConsoleError(current, InvalidText(field=name))


def page(request: Request) -> Page:
    current = Page(request)
    _check_text(current, iter([*request.path_params.items(),
                               *request.query_params.multi_items()]))
    return current


def form_page(request: Request, csrf: Annotated[str, Form()] = "") -> Page:
    """A page for a POSTed form whose origin and CSRF token have been checked; nothing runs
    before."""
    current = page(request)
    current.check_origin()
    current.check_csrf(csrf)
    # FastAPI has parsed the form already (csrf is one of its fields) and kept it on the request.
    form = getattr(request, "_form", None)
    if form is not None:
        _check_text(current, iter(form.multi_items()))
    return current

