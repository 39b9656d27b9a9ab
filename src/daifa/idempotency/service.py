"""Idempotency keys, generic over any creating POST.

A key is scoped to the caller (the actor), the method and the path. The first request claims it
in the transaction that does its work (one INSERT … ON CONFLICT DO NOTHING) and stores its
response there too, so a key is either free or done with exactly the response of work that
committed: a failed or killed request leaves nothing behind, and a retry with the key runs
again. A second request with the key while the first runs waits for it on the row (SQLite:
for the write lock) and then replays its answer. Only work that commits part-way (a long batch
at its checkpoints) leaves a `running` claim for a while; it lapses after LOCK.
Neither the key nor the reply is stored in plain text (see sealing).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, delete, select, update

from daifa.context import Actor, Ctx
from daifa.db.base import DIALECTS, upsert_insert
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


_KEYS = cast(Table, IdempotencyKey.__table__)
_COLUMNS = ("caller", "method", "path", "key", "fingerprint", "state", "locked_until",
            "created_at")
# Built once per dialect (building costs more than running them; every keyed POST runs both).
_CLAIM = {dialect: upsert_insert(dialect, _KEYS).values({c: bindparam(c) for c in _COLUMNS})
          .on_conflict_do_nothing().returning(_KEYS.c.id)
          for dialect in DIALECTS}
_COMPLETE = (update(_KEYS).where(_KEYS.c.id == bindparam("pk"))
             .values(state=DONE, response_status=bindparam("status"),
                     response_body=bindparam("body")))


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
    claimed = ctx.session.scalar(_CLAIM[ctx.session.get_bind().dialect.name], {
        "caller": caller, "method": method, "path": path, "key": stored_key,
        "fingerprint": fingerprint, "state": RUNNING, "locked_until": now + LOCK,
        "created_at": now})
    if claimed is not None:
        return Claim(claimed, scope, key)
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
    ctx.session.execute(_COMPLETE, {"pk": claim.id, "status": status,
                                    "body": sealing.seal(claim.scope, claim.key, text)})


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
