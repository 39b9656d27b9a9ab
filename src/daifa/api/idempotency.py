"""The one helper creating POSTs call to honour `Idempotency-Key` (docs/api.md, "Conventions")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Header, Request, Response

from daifa.api.deps import Call
from daifa.context import Ctx
from daifa.db import budget
from daifa.db.uow import checkpointed
from daifa.idempotency import service as idempotency

JSON = "application/json"
KeyHeader = Header(default=None, alias="Idempotency-Key", max_length=255,
                   description="Repeat a request safely: the same key with the same body "
                               "returns the first response; with another body it is 422 "
                               "IDEMPOTENCY_KEY_REUSED; while the first still runs, 409 "
                               "IDEMPOTENCY_KEY_IN_USE")

Handler = Callable[[Ctx], tuple[int, bytes]]


def respond(call: Call, request: Request, key: str | None, payload: Any,
            handler: Handler) -> Response:
    """Run `handler` (status, JSON bytes) in one unit of work, at most once per key.

    `payload` is the request body as parsed JSON; its fingerprint tells a retry from a reuse.
    """
    if key is None:
        with call.ctx() as ctx:
            status, content = handler(ctx)
        return Response(content, status_code=status, media_type=JSON)
    fingerprint = idempotency.fingerprint(payload)
    left: list[idempotency.Claim] = []  # a claim a checkpoint committed before the failure
    try:
        with call.ctx() as ctx:
            outcome = idempotency.claim(ctx, key=key, method=request.method,
                                        path=request.url.path, fingerprint=fingerprint)
            if isinstance(outcome, idempotency.Replay):
                return Response(outcome.body, status_code=outcome.status, media_type=JSON,
                                headers={"Idempotent-Replayed": "true"})
            status, content = _run(ctx, outcome, handler, left)
    except BaseException:
        for claim in left:
            with budget.lifted(), call.ctx() as ctx:  # also when the request ran out of time
                idempotency.release(ctx, claim)
        raise
    return Response(content, status_code=status, media_type=JSON)


def _run(ctx: Ctx, claim: idempotency.Claim, handler: Handler,
         left: list[idempotency.Claim]) -> tuple[int, bytes]:
    """The work and its stored response, in the unit of work that claimed the key. On failure
    the rollback takes the claim with it, unless something is committed anyway: changes kept
    by the error (the claim goes with them) or a checkpoint's (the caller frees the claim)."""
    try:
        status, content = handler(ctx)
        idempotency.complete(ctx, claim, status, content)
    except BaseException as exc:
        if getattr(exc, "keep_changes", False):
            idempotency.release(ctx, claim)
        elif checkpointed(ctx.session):
            left.append(claim)
        raise
    return status, content
