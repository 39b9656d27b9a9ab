from __future__ import annotations

from daifa.errors import DaifaError, NotFound


class TrackingProviderNotFound(NotFound):
    code = "TRACKING_PROVIDER_NOT_FOUND"
    title = "Unknown tracking provider"


class TrackingBodyTooLarge(DaifaError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    title = "Request body too large"
