"""Domain errors: a stable machine code and a status, never an HTTP class.

Each surface maps them once: problem+json for the API, a flash message for the console, an exit
code for the CLI.
"""

from __future__ import annotations

from typing import Any


class DaifaError(Exception):
    code = "ERROR"
    status = 400
    title = "Request failed"
    # Set on errors whose cause must be recorded even though the request fails
    # (a failed sign-in counts towards the throttle): the unit of work commits, then re-raises.
    keep_changes = False

    def __init__(self, detail: str | None = None, *, code: str | None = None,
                 **extra: Any) -> None:
        self.detail = detail or self.title
        if code:
            self.code = code
        self.extra = extra
        super().__init__(self.detail)


class ValidationFailed(DaifaError):
    code = "VALIDATION_FAILED"
    status = 422
    title = "Invalid input"


class Unauthenticated(DaifaError):
    code = "UNAUTHENTICATED"
    status = 401
    title = "Sign-in required"


class Forbidden(DaifaError):
    code = "FORBIDDEN"
    status = 403
    title = "Not allowed"


class NotFound(DaifaError):
    code = "NOT_FOUND"
    status = 404
    title = "Not found"


class Conflict(DaifaError):
    code = "CONFLICT"
    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    code = "INVALID_TRANSITION"
    title = "Not possible in the current state"


class RateLimited(DaifaError):
    code = "RATE_LIMITED"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after
