"""The one helper creating POSTs call to honour `Idempotency-Key` (docs/api.md, "Conventions")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Header, Request, Response

from daifa.api.deps import Call
from daifa.context import Ctx
from daifa.db import budget
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
    with call.ctx() as ctx:
        outcome = idempotency.claim(ctx, key=key, method=request.method, path=request.url.path,
                                    fingerprint=fingerprint)
    if isinstance(outcome, idempotency.Replay):
        return Response(outcome.body, status_code=outcome.status, media_type=JSON,
                        headers={"Idempotent-Replayed": "true"})
    try:
        with call.ctx() as ctx:
            status, content = handler(ctx)
            idempotency.complete(ctx, outcome, status, content)
    except BaseException:
        with budget.lifted(), call.ctx() as ctx:  # also when the request ran out of time
            idempotency.release(ctx, outcome)
        raise
    return Response(content, status_code=status, media_type=JSON)
