"""Use cases: sign up, sign in, resolve a bearer token, manage API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from daifa.audit import service as audit
from daifa.config import Settings
from daifa.context import Actor, Ctx, Scope
from daifa.errors import Forbidden, NotFound
from daifa.identity import rules
from daifa.identity.errors import (
    BadCredentials,
    ConsoleSessionNotForApi,
    InvalidLogin,
    InvalidToken,
    LoginTaken,
    TooManySignIns,
    WeakPassword,
)
from daifa.identity.models import AccessToken, Account, LoginThrottle
from daifa.identity.passwords import hash_password, needs_rehash, verify_password
from daifa.kit.clock import Clock
from daifa.kit.ids import new_token, token_digest

SESSION_PREFIX = "dfs_"
API_KEY_PREFIX = "dfk_"
# The kinds of access token: an API session from POST /auth/token, the console's cookie
# session (refused by the API, idle after `console_idle_minutes`), an organisation's API key.
SESSION = "session"
CONSOLE_SESSION = "console"
API_KEY = "api_key"
SLIDE_EVERY = timedelta(minutes=1)


def signup(ctx: Ctx, login: str, password: str, display_name: str,
           *, is_admin: bool = False) -> Account:
    login = rules.normalise_login(login)
    if rules.login_problem(login):
        raise InvalidLogin(min=rules.MIN_LOGIN, max=rules.MAX_LOGIN)
    if rules.password_problem(password):
        raise WeakPassword(min=rules.MIN_PASSWORD, max=rules.MAX_PASSWORD)
    taken = LoginTaken(login=login)
    if ctx.session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise taken
    account = Account(login=login, password_hash=hash_password(password),
                      display_name=display_name.strip(), is_admin=is_admin, created_at=ctx.now())
    try:
        with ctx.session.begin_nested():  # a racing sign-up for the same login loses here
            ctx.session.add(account)
    except IntegrityError as exc:
        raise taken from exc
    audit.record(ctx, "account", account.id, "account.created",
                 data={"login": login, "is_admin": is_admin})
    return account


def _policy(ctx: Ctx) -> rules.ThrottlePolicy:
    s = ctx.settings
    return rules.ThrottlePolicy(s.login_max_failures, timedelta(seconds=s.login_window_seconds),
                                timedelta(seconds=s.login_lockout_seconds))


def _throttle_state(row: LoginThrottle | None) -> rules.ThrottleState | None:
    if row is None:
        return None
    return rules.ThrottleState(row.failures, row.window_started_at, row.locked_until)


def verify_credentials(ctx: Ctx, login: str, password: str) -> Account:
    """The account for these credentials; failures are counted per login and throttled."""
    login = rules.normalise_login(login)[:64]
    throttle = ctx.session.get(LoginThrottle, login)
    wait = rules.retry_after(_throttle_state(throttle), ctx.now())
    if wait is not None:
        raise TooManySignIns(retry_after=wait)
    account = ctx.session.scalar(select(Account).where(Account.login == login))
    if not verify_password(account.password_hash if account else None, password):
        _count_failure(ctx, login, throttle)
        raise BadCredentials()
    assert account is not None
    if throttle is not None:
        ctx.session.delete(throttle)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def _count_failure(ctx: Ctx, login: str, row: LoginThrottle | None) -> None:
    """Count one failure, also when failures for the same login arrive at the same moment.

    The first failure inserts the row (a racing insert loses on the primary key); later ones
    update it only if it still holds what was read, else read again and retry: no lost counts.
    """
    for _ in range(_COUNT_RETRIES):
        state = rules.after_failure(_throttle_state(row), ctx.now(), _policy(ctx))
        if row is None:
            if _insert_throttle(ctx, login, state):
                return
        elif _update_throttle(ctx, row, state):
            return
        row = ctx.session.get(LoginThrottle, login, populate_existing=True)


_COUNT_RETRIES = 5


def _insert_throttle(ctx: Ctx, login: str, state: rules.ThrottleState) -> bool:
    try:
        with ctx.session.begin_nested():
            ctx.session.add(LoginThrottle(login=login, failures=state.failures,
                                          window_started_at=state.window_started_at,
                                          locked_until=state.locked_until))
    except IntegrityError:
        return False
    return True


def _update_throttle(ctx: Ctx, row: LoginThrottle, state: rules.ThrottleState) -> bool:
    result = ctx.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.login == row.login, LoginThrottle.failures == row.failures,
               LoginThrottle.window_started_at == row.window_started_at)
        .values(failures=state.failures, window_started_at=state.window_started_at,
                locked_until=state.locked_until)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def expire_throttles(ctx: Ctx) -> int:
    """The worker's sweep: forget the throttle rows that no longer count, so failed sign-ins
    under ever new logins do not grow the table without bound. A row still locking stays."""
    now = ctx.now()
    result = ctx.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.window_started_at < rules.throttle_forgotten_before(now,
                                                                                 _policy(ctx)),
               or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def issue_session(ctx: Ctx, account: Account, *, console: bool = False
                  ) -> tuple[AccessToken, str]:
    """A new session: for the API (``session_days``), or for the console's cookie, which ends
    after ``console_idle_minutes`` without a request and ``session_days`` after sign-in."""
    now, settings = ctx.now(), ctx.settings
    lifetime = timedelta(days=settings.session_days)
    expires_at = (rules.console_expiry(now, now, _idle(settings.console_idle_minutes), lifetime)
                  if console else now + lifetime)
    secret = new_token(SESSION_PREFIX)
    token = AccessToken(digest=token_digest(secret), kind=CONSOLE_SESSION if console else SESSION,
                        account_id=account.id, hint=secret[:8], created_at=now,
                        expires_at=expires_at)
    ctx.session.add(token)
    return token, secret


def _idle(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


def sign_in(ctx: Ctx, login: str, password: str, *, console: bool = False
            ) -> tuple[AccessToken, str]:
    return issue_session(ctx, verify_credentials(ctx, login, password), console=console)


def sign_out(session: Session, secret: str, clock: Clock, *, console: bool = False) -> None:
    """End a person's session; API keys are revoked through their organisation only."""
    session.execute(
        update(AccessToken)
        .where(AccessToken.digest == token_digest(secret),
               AccessToken.kind == (CONSOLE_SESSION if console else SESSION),
               AccessToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


_TOKENS = cast(Table, AccessToken.__table__)
_ACCOUNTS = cast(Table, Account.__table__)
# Built once: every API call runs these, and building a statement costs more than running it.
_TOKEN = (select(_TOKENS.c.revoked_at, _TOKENS.c.expires_at, _TOKENS.c.kind, _TOKENS.c.org_scope,
                 _TOKENS.c.org_id, _TOKENS.c.hint, _ACCOUNTS.c.id, _ACCOUNTS.c.is_admin,
                 _ACCOUNTS.c.login, _TOKENS.c.created_at)
          .join(_ACCOUNTS, _ACCOUNTS.c.id == _TOKENS.c.account_id)
          .where(_TOKENS.c.digest == bindparam("digest")))
_TOUCH = (update(_TOKENS)
          .where(_TOKENS.c.digest == bindparam("secret_digest"),
                 or_(_TOKENS.c.last_used_at.is_(None),
                     _TOKENS.c.last_used_at < bindparam("since")))
          .values(last_used_at=bindparam("now")))
TOUCH_EVERY = timedelta(minutes=1)


def actor_for_token(session: Session, secret: str, clock: Clock) -> Actor:
    """Who an API bearer secret speaks for; InvalidToken when it is unknown, expired or
    revoked, ConsoleSessionNotForApi for the console's cookie session."""
    row = _live_token(session, secret, clock.now())
    if row.kind == CONSOLE_SESSION:
        raise ConsoleSessionNotForApi()
    return _actor(row)


@dataclass(frozen=True)
class ConsoleSession:
    actor: Actor
    slide_to: datetime | None  # the new expiry to write, when it is worth a write


def console_session(session: Session, secret: str, clock: Clock,
                    settings: Settings) -> ConsoleSession:
    """Who the console's session cookie speaks for; InvalidToken for anything but a live
    console session (an API token or key in the cookie included)."""
    now = clock.now()
    row = _live_token(session, secret, now)
    if row.kind != CONSOLE_SESSION:
        raise InvalidToken()
    idle = _idle(settings.console_idle_minutes)
    new_expiry = rules.console_expiry(now, row.created_at, idle,
                                      timedelta(days=settings.session_days))
    due = new_expiry > row.expires_at and rules.slide_due(row.expires_at, now, idle,
                                                          SLIDE_EVERY)
    return ConsoleSession(_actor(row), new_expiry if due else None)


def slide(session: Session, secret: str, expires_at: datetime, clock: Clock) -> None:
    """Move a live console session's expiry on (never back, never to revive it)."""
    session.execute(
        update(AccessToken)
        .where(AccessToken.digest == token_digest(secret),
               AccessToken.kind == CONSOLE_SESSION, AccessToken.revoked_at.is_(None),
               AccessToken.expires_at > clock.now(), AccessToken.expires_at < expires_at)
        .values(expires_at=expires_at, last_used_at=clock.now())
        .execution_options(synchronize_session=False)
    )


def _live_token(session: Session, secret: str, now: datetime) -> Any:
    row = session.execute(_TOKEN, {"digest": token_digest(secret)}).first()
    if row is None or row.revoked_at is not None or (
            row.expires_at is not None and row.expires_at <= now):
        raise InvalidToken()
    return row


def _actor(row: Any) -> Actor:
    if row.kind == API_KEY and row.org_scope and row.org_id is not None:
        return Actor(scope=Scope(row.org_scope), account_id=row.id, org_id=row.org_id,
                     label=f"api_key:{row.hint}")
    return Actor(scope=Scope.PERSON, account_id=row.id, is_admin=row.is_admin, label=row.login)


def touch(session: Session, secret: str, clock: Clock) -> None:
    """Note when an API key was last used; at most once a minute to spare the write lock."""
    now = clock.now()
    session.execute(_TOUCH, {"secret_digest": token_digest(secret), "since": now - TOUCH_EVERY,
                             "now": now})


def get_account(ctx: Ctx, account_id: int) -> Account:
    account = ctx.session.get(Account, account_id)
    if account is None:
        raise NotFound()
    return account


def require_person(ctx: Ctx) -> None:
    """API keys act for their organisation's orders, never to manage credentials."""
    if ctx.actor.scope is not Scope.PERSON:
        raise Forbidden()  # API keys cannot manage API keys: a person signs in


def create_api_key(ctx: Ctx, org_scope: Scope, org_id: int, name: str) -> tuple[AccessToken, str]:
    require_person(ctx)
    assert ctx.actor.account_id is not None
    secret = new_token(API_KEY_PREFIX)
    key = AccessToken(digest=token_digest(secret), kind=API_KEY, account_id=ctx.actor.account_id,
                      org_scope=org_scope.value, org_id=org_id, name=name.strip(),
                      hint=secret[:8], created_at=ctx.now())
    ctx.session.add(key)
    ctx.session.flush()
    audit.record(ctx, org_scope.value, org_id, "api_key.created", data={"key_id": key.id,
                                                                      "name": key.name})
    return key, secret


def list_api_keys(ctx: Ctx, org_scope: Scope, org_id: int) -> list[AccessToken]:
    require_person(ctx)
    return list(ctx.session.scalars(
        select(AccessToken)
        .where(AccessToken.kind == API_KEY, AccessToken.org_scope == org_scope.value,
               AccessToken.org_id == org_id)
        .order_by(AccessToken.id)
    ))


def revoke_api_key(ctx: Ctx, org_scope: Scope, org_id: int, key_id: int) -> AccessToken:
    require_person(ctx)
    if not 0 < key_id < 2**62:  # no key has it, and the database would refuse to compare
        raise NotFound()
    key = ctx.session.scalar(
        select(AccessToken).where(AccessToken.id == key_id, AccessToken.kind == API_KEY,
                                  AccessToken.org_scope == org_scope.value,
                                  AccessToken.org_id == org_id)
    )
    if key is None:
        raise NotFound()
    if key.revoked_at is None:
        key.revoked_at = ctx.now()
        audit.record(ctx, org_scope.value, org_id, "api_key.revoked", data={"key_id": key.id})
    return key
