from __future__ import annotations

from daifa.errors import Conflict, ValidationFailed


class KeyReused(ValidationFailed):
    code = "IDEMPOTENCY_KEY_REUSED"
    title = "This Idempotency-Key was used with a different request body"


class KeyInUse(Conflict):
    code = "IDEMPOTENCY_KEY_IN_USE"
    title = "A request with this Idempotency-Key is still running; retry shortly"


class InvalidKey(ValidationFailed):
    code = "INVALID_IDEMPOTENCY_KEY"
    title = "An Idempotency-Key is 1 to 255 printable ASCII characters"
