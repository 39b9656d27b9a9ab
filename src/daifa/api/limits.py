"""Request bodies over a size are refused with 413 before they are read whole.

A declared Content-Length over the limit is answered at once, without reading a byte; a body
sent without one (chunked) is counted as it arrives and refused at the first byte over. JSON
and form bodies get `max_body_bytes`; multipart uploads the larger of the spreadsheet and
evidence limits plus room for the form's other parts (the endpoints still check their files
against their own limits, with their own codes).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daifa.api import problems
from daifa.config import Settings
from daifa.db import budget
from daifa.errors import BodyTooLarge

FORM_ROOM = 1024 * 1024  # multipart headers and the form's small fields beside the file


class TooLarge(HTTPException):
    """Raised from `receive` at the first byte over the limit: FastAPI passes HTTPExceptions
    on untouched, and problems.py renders this one as BODY_TOO_LARGE."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


def limits(settings: Settings) -> tuple[int, int]:
    """(bytes for a JSON or form body, bytes for a multipart upload)."""
    upload = max(settings.upload_max_bytes, settings.evidence_max_bytes) + FORM_ROOM
    return settings.max_body_bytes, upload


def is_upload(headers: Headers) -> bool:
    """A multipart body: a file upload, which gets the larger limits."""
    return headers.get("content-type", "").lower().startswith("multipart/")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, body_bytes: int, upload_bytes: int) -> None:
        self.app = app
        self.body_bytes = body_bytes
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.upload_bytes if is_upload(headers) else self.body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = BodyTooLarge(limit=limit)
        response = problems.problem(error.status, error.code, error.title, error.detail,
                                    scope.get("path", ""), limit=limit)
        await response(scope, receive, send)


class TimeBudget:
    """Every HTTP request runs within a deadline its database work checks (db.budget)."""

    def __init__(self, app: ASGIApp, *, seconds: int, upload_seconds: int) -> None:
        self.app = app
        self.seconds = seconds
        self.upload_seconds = upload_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = is_upload(Headers(scope=scope))
        with budget.within(self.upload_seconds if upload else self.seconds):
            await self.app(scope, receive, send)
