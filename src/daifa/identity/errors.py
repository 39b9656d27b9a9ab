from __future__ import annotations

from daifa.errors import Conflict, RateLimited, Unauthenticated, ValidationFailed


class LoginTaken(Conflict):
    code = "LOGIN_TAKEN"
    title = "That login is already taken"


class BadCredentials(Unauthenticated):
    """Deliberately silent about whether the login exists."""

    code = "INVALID_CREDENTIALS"
    title = "Login or password is incorrect"
    keep_changes = True  # the failure counter must survive the rollback of the request


class TooManySignIns(RateLimited):
    code = "TOO_MANY_ATTEMPTS"
    title = "Too many failed sign-ins; wait before trying again"


class InvalidToken(Unauthenticated):
    code = "INVALID_TOKEN"
    title = "The token is missing, expired or revoked"


class ConsoleSessionNotForApi(Unauthenticated):
    """The console's cookie session was presented to the API, which takes tokens from
    ``POST /auth/token`` and API keys only."""

    code = "CONSOLE_SESSION_NOT_FOR_API"
    title = "A console session does not work for the API"


class WeakPassword(ValidationFailed):
    code = "WEAK_PASSWORD"


class InvalidLogin(ValidationFailed):
    code = "INVALID_LOGIN"
