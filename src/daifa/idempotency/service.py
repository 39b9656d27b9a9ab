"""Idempotency keys, generic over any creating POST.

A key is scoped to the caller (the actor), the method and the path. The first request claims it
in a transaction of its own; its response is stored in the same transaction as the work it did,
so a key is either free, running, or done with exactly the response of work that committed.
A failed request frees the key again (nothing was created), so the client may retry with it.
Neither the key nor the reply is stored in plain text (see sealing).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from daifa.context import Actor, Ctx
from daifa.idempotency import sealing
from daifa.idempotency.errors import InvalidKey, KeyInUse, KeyReused
from daifa.idempotency.models import IdempotencyKey

LOCK = timedelta(seconds=60)  # a claim older than this belongs to a request that died
RETAIN = timedelta(hours=24)  # a key may be reused for a new request after this
RUNNING = "running"
DONE = "done"
MAX_KEY_LENGTH = 255  # the column's width


@dataclass(frozen=True)
class Claim:
    id: int
    scope: str  # caller, method and path: with the key, what seals the reply
    key: str


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def caller_of(actor: Actor) -> str:
    return f"{actor.scope.value}:{actor.account_id or ''}:{actor.org_id or ''}"


def fingerprint(payload: Any) -> str:
    """The same JSON body, whatever its key order and spacing, gives the same fingerprint."""
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise InvalidKey(max_length=MAX_KEY_LENGTH)
    return key


def claim(ctx: Ctx, *, key: str, method: str, path: str, fingerprint: str) -> Claim | Replay:
    """Claim the key for this request, or say what the earlier request with it left."""
    now = ctx.now()
    caller = caller_of(ctx.actor)
    scope = f"{caller} {method} {path}"
    stored_key = sealing.digest(scope, check_key(key))
    row = IdempotencyKey(caller=caller, method=method, path=path, key=stored_key,
                         fingerprint=fingerprint, state=RUNNING, locked_until=now + LOCK,
                         created_at=now)
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
        return Claim(row.id, scope, key)
    except IntegrityError:
        pass
    existing = ctx.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.caller == caller, IdempotencyKey.method == method,
        IdempotencyKey.path == path, IdempotencyKey.key == stored_key)).one()
    mine = Claim(existing.id, scope, key)
    if existing.created_at + RETAIN <= now:
        return _take_over(ctx, existing, mine, fingerprint, now, fresh=True)
    if existing.fingerprint != fingerprint:
        raise KeyReused()
    if existing.state == DONE and existing.response_status is not None:
        return Replay(existing.response_status,
                      sealing.unseal(scope, key, existing.response_body or ""))
    if existing.locked_until > now:
        raise KeyInUse()
    return _take_over(ctx, existing, mine, fingerprint, now, fresh=False)


def _take_over(ctx: Ctx, existing: IdempotencyKey, mine: Claim, fingerprint: str,
               now: datetime, *, fresh: bool) -> Claim:
    """Claim a key whose earlier request died (or that expired), if nobody beat us to it."""
    values: dict[str, Any] = {"locked_until": now + LOCK, "state": RUNNING}
    if fresh:
        values.update(fingerprint=fingerprint, created_at=now, response_status=None,
                      response_body=None)
    result = ctx.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == existing.id,
               IdempotencyKey.locked_until == existing.locked_until,
               IdempotencyKey.state == existing.state)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise KeyInUse()
    return mine


def complete(ctx: Ctx, claim: Claim, status: int, body: bytes | str) -> None:
    """Store the response; call it in the same unit of work as the request's own changes."""
    text = body.decode() if isinstance(body, bytes) else body
    ctx.session.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == claim.id)
        .values(state=DONE, response_status=status,
                response_body=sealing.seal(claim.scope, claim.key, text))
        .execution_options(synchronize_session=False))


def release(ctx: Ctx, claim: Claim) -> None:
    """Free the key after a failed request, so a retry with it runs again."""
    ctx.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.id == claim.id, IdempotencyKey.state == RUNNING)
        .execution_options(synchronize_session=False))


def purge(ctx: Ctx) -> int:
    """Forget keys past retention; for a periodic sweep."""
    result = ctx.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < ctx.now() - RETAIN,
        IdempotencyKey.state == DONE).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
