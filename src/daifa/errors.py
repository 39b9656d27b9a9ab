"""Domain errors: a stable machine code, params and a status, never an HTTP class.

Raise with the params the code's template names (daifa.messages holds one English template per
code): ``raise ProductExists(spu_code=code)``. Each surface renders it once: problem+json for the
API (English `detail`, the params as extension members), the console's catalogs in the reader's
language, English and an exit code for the CLI.
"""

from __future__ import annotations

from typing import Any

from daifa.messages import render


class DaifaError(Exception):
    code = "ERROR"
    status = 400
    title = "Request failed"
    # Set on errors whose cause must be recorded even though the request fails
    # (a failed sign-in counts towards the throttle): the unit of work commits, then re-raises.
    keep_changes = False

    def __init__(self, text: str | None = None, *, code: str | None = None,
                 **params: Any) -> None:
        if code:
            self.code = code
        self.params = params
        # A sentence from a raising site not yet written as params (the spreadsheet readers);
        # it stands in for the English rendering, the console still renders the template.
        self.text = text
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """The message in English, as the API and the CLI show it."""
        return self.text or render(self.code, self.params)


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

    def __init__(self, text: str | None = None, *, retry_after: int, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(text, seconds=retry_after, **params)


class BodyTooLarge(DaifaError):
    """A request body over the configured size, refused before it is read whole."""

    code = "BODY_TOO_LARGE"
    status = 413
    title = "Request body too large"


class DatabaseUnavailable(DaifaError):
    """Readiness: the database did not answer (down, unreachable, out of connections)."""

    code = "DATABASE_UNAVAILABLE"
    status = 503
    title = "The database does not answer"


class MigrationsPending(DaifaError):
    """Readiness: the database's schema is not the one this code was written for."""

    code = "MIGRATIONS_PENDING"
    status = 503
    title = "The database is not at this release's migration"


class InvalidText(ValidationFailed):
    """Text with a NUL character or an unpaired surrogate, which no database column takes."""

    code = "INVALID_TEXT"


class NumberOutOfRange(ValidationFailed):
    """An integer outside what a 64-bit database column holds."""

    code = "NUMBER_OUT_OF_RANGE"


class NestedTooDeeply(ValidationFailed):
    code = "NESTED_TOO_DEEPLY"


class DateOutOfRange(ValidationFailed):
    """A time the hub cannot store or add a deadline to (the schema's check has this code)."""

    code = "DATE_OUT_OF_RANGE"
