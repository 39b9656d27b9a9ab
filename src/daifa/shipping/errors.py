from __future__ import annotations

from daifa.errors import Unauthenticated, ValidationFailed


class UnknownCarrier(ValidationFailed):
    code = "UNKNOWN_CARRIER"
    title = "Unknown carrier"


class InvalidTrackingNo(ValidationFailed):
    code = "INVALID_TRACKING_NO"
    title = "Invalid tracking number"


class UnsupportedFile(ValidationFailed):
    code = "UNSUPPORTED_FILE"
    title = "Unsupported file: upload .xlsx or .csv"


class SheetEmpty(ValidationFailed):
    code = "SHEET_EMPTY"
    title = "The file has no rows to import"


class SheetHeaderInvalid(ValidationFailed):
    code = "SHEET_HEADER_INVALID"
    title = "The first row must name the columns"


class SheetTooLarge(ValidationFailed):
    code = "SHEET_TOO_LARGE"
    title = "Too many rows in one file"


class WebhookSignatureInvalid(Unauthenticated):
    code = "WEBHOOK_SIGNATURE_INVALID"
    title = "Webhook signature missing or invalid"


class WebhookTimestampStale(Unauthenticated):
    code = "WEBHOOK_TIMESTAMP_STALE"
    title = "Webhook timestamp outside the accepted window"
