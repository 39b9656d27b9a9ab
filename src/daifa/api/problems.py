"""The one place errors become RFC 9457 problem+json."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daifa import paths
from daifa.api.v1.common import INVALID_CURSOR
from daifa.errors import BodyTooLarge, DaifaError, DateOutOfRange, RateLimited, Unauthenticated
from daifa.identity.errors import InvalidLogin, WeakPassword

log = logging.getLogger("daifa.api")
PROBLEM = "application/problem+json"
_STATUS_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_FAILED",
    429: "RATE_LIMITED",
}


class Problem(BaseModel):
    """RFC 9457 problem details, with daifa's stable machine `code`."""

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(examples=["NOT_A_SUPPLIER_ID"])
    instance: str
    errors: list[dict[str, Any]] | None = None


_DESCRIPTIONS = {
    400: "The body is not JSON",
    401: "No token, or an unknown, expired or revoked one",
    403: "Signed in, but not allowed",
    404: "Not found, or not yours",
    409: "Conflicts with the current state",
    413: "The body is larger than the limit",
    422: "Invalid input",
    429: "Too many attempts; see Retry-After",
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text,
             "content": {PROBLEM: {"schema": Problem.model_json_schema()}}}
    for status, text in _DESCRIPTIONS.items()
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def problem(status: int, code: str, title: str, detail: str, instance: str,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": f"https://daifa.dev/problems/{code.lower().replace('_', '-')}",
            "title": title, "status": status, "detail": detail, "code": code,
            "instance": instance, **extra}
    return ProblemResponse(body, status_code=status, headers=headers)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    return domain(request, exc)


def domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DaifaError)
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(exc.status, exc.code, exc.title, exc.detail, request.url.path,
                   headers or None, **members(exc))


_RESERVED = frozenset({"type", "title", "status", "detail", "code", "instance"})


def members(exc: DaifaError) -> dict[str, Any]:
    """The error's params as extension members, never over the problem's own fields."""
    return {name: value for name, value in exc.params.items() if name not in _RESERVED}


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": err.get("msg", ""),
         "type": err.get("type", "")}
        for err in exc.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors)
    return problem(422, _field_code(request.url.path, errors), "Invalid input",
                   detail or "invalid input", request.url.path, errors=errors)


# Fields with a domain code of their own, kept when a constraint declared in the schema catches
# the input before the domain rule would: (path, or "*" for any, then the error's location).
_FIELD_CODES: dict[tuple[str, ...], str] = {
    ("*", "query", "cursor"): INVALID_CURSOR,
    ("/api/v1/auth/signup", "body", "login"): InvalidLogin.code,
    ("/api/v1/auth/signup", "body", "password"): WeakPassword.code,
}


# Errors of a kind with a domain code of its own, wherever they occur (kit.inputs.Instant).
_TYPE_CODES: dict[str, str] = {"date_out_of_range": DateOutOfRange.code}


def _field_code(path: str, errors: list[dict[str, Any]]) -> str:
    """The first error's field code when every error has one, else VALIDATION_FAILED."""
    codes = [_FIELD_CODES.get((path, *e["loc"])) or _FIELD_CODES.get(("*", *e["loc"]))
             or _TYPE_CODES.get(e["type"]) for e in errors]
    if codes and all(codes):
        return str(codes[0])
    return "VALIDATION_FAILED"


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    limit = getattr(exc, "limit", None)
    if exc.status_code == 413 and isinstance(limit, int):  # api.limits.TooLarge
        return domain(request, BodyTooLarge(limit=limit))
    code = _STATUS_CODES.get(exc.status_code, "HTTP_ERROR")
    detail = exc.detail if isinstance(exc.detail, str) else code
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem(exc.status_code, code, detail, detail, request.url.path, headers or None)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some operation takes at this path (Starlette names only the first
    matching route's)."""
    methods: set[str] = set()
    for route in paths.routes(request.app):
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return sorted(methods)


def unexpected(path: str) -> JSONResponse:
    return problem(500, "INTERNAL_ERROR", "Internal error",
                   "something went wrong on our side; nothing was changed", path)


class CatchAll:
    """A bug is answered with a 500 problem and the connection kept open.

    Starlette's outermost middleware re-raises after answering, and the server then drops the
    keep-alive connection; caught here, the exception is logged and goes no further. Once the
    response has started there is nothing left to answer with, so it is raised on.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except ClientDisconnect:  # the client went away mid-body: nobody to answer, no bug
            log.info("client left before sending the whole body: %s %s",
                     scope.get("method"), scope.get("path"))
        except Exception:
            if started:
                raise
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            await unexpected(scope.get("path", ""))(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DaifaError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
