from __future__ import annotations

from daifa.errors import Conflict, NotFound, ValidationFailed


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


# --- shipping dispatch orders ----------------------------------------------------------------

class TrackingNoInUse(Conflict):
    code = "TRACKING_NO_IN_USE"
    title = "This carrier's tracking number is already used by another dispatch order"


class QuantityExceedsRemaining(Conflict):
    code = "QUANTITY_EXCEEDS_REMAINING"
    title = "More units than the line has left to ship"


class LineNotInDispatchOrder(ValidationFailed):
    code = "LINE_NOT_FOUND"
    title = "The dispatch order has no line with that line_id"


class ShipmentNotFound(NotFound):
    code = "SHIPMENT_NOT_FOUND"
    title = "No such shipment on this dispatch order"
