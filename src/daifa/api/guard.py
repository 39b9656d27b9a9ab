"""What every /api/v1 request passes before FastAPI reads and validates its body.

1. Path and query parameters hold no NUL character or unpaired surrogate.
2. An operation that wants a bearer token has one that is ours: a missing, unknown, expired or
   revoked token is 401 before a byte of the body is read. The actor found is handed to the
   unit of work (`deps.Call`), which does not look it up again. Its tenant's rate limit is
   checked next (`api.rates`: 429 past it), still before the body.
3. A JSON body is parsed once (FastAPI reuses the parse) and walked: integers within 64 bits,
   text without NUL or unpaired surrogates, at most `inputs.MAX_DEPTH` levels; each is 422 with
   its code instead of a database error later.

Every router under /api/v1 comes from `guarded_router`; a test checks that every route is guarded.
"""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIRouter
from starlette.requests import Request
from starlette.responses import Response

from daifa.api import rates
from daifa.api.deps import bearer, hub
from daifa.errors import InvalidText, NestedTooDeeply, NumberOutOfRange, Unauthenticated
from daifa.kit import inputs

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def uses_bearer(dependant: Dependant) -> bool:
    return any(sub.call is bearer or uses_bearer(sub) for sub in dependant.dependencies)


def bearer_token(request: Request) -> str | None:
    """The token as HTTPBearer reads it: `Authorization: Bearer <token>`, else none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def authenticate(request: Request) -> None:
    token = bearer_token(request)
    if token is None:
        raise Unauthenticated()
    request.state.actor = actor = await run_in_threadpool(hub(request).actor_for, token)
    await rates.check(request, actor)


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type")
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


async def check_body(request: Request) -> None:
    if request.method in ("GET", "HEAD", "DELETE", "OPTIONS") or not _is_json(request):
        return
    raw = await request.body()
    if not raw:
        return
    try:
        data = await request.json()
    except Exception:  # not JSON: FastAPI answers it as it always does
        return
    problem = inputs.first_problem(data, text=inputs.may_hold_bad_text(raw))
    if problem is None:
        return
    if problem.kind == "text":
        raise InvalidText(field=problem.where)
    if problem.kind == "integer":
        raise NumberOutOfRange(field=problem.where, min=inputs.INT64_MIN, max=inputs.INT64_MAX)
    raise NestedTooDeeply(limit=inputs.MAX_DEPTH)


def check_params(request: Request) -> None:
    name = (inputs.first_bad_param(request.path_params)
            or inputs.first_bad_param(request.query_params))
    if name is not None:
        raise InvalidText(field=name)


class GuardedRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        needs_token = uses_bearer(self.dependant)

        async def guarded(request: Request) -> Response:
            check_params(request)
            if needs_token:
                await authenticate(request)
            await check_body(request)
            return await handler(request)

        return guarded


API_PREFIX = "/api/v1"


def guarded_router(*, prefix: str = "", tags: list[str | Any] | None = None) -> APIRouter:
    """A router whose routes carry their whole path under /api/v1 and pass the guard; the app
    holds them flat (daifa.paths), not as nested routers."""
    return APIRouter(route_class=GuardedRoute, prefix=API_PREFIX + prefix, tags=tags)
