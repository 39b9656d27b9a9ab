from __future__ import annotations

from daifa.errors import Conflict, NotFound, ValidationFailed


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"
    title = "No such order"


class LineNotFound(ValidationFailed):
    code = "LINE_NOT_FOUND"
    title = "The order has no line with that line_id"


class QuantityExceedsRemaining(Conflict):
    code = "QUANTITY_EXCEEDS_REMAINING"
    title = "More units than the line still has waiting"


class NoSource(ValidationFailed):
    code = "NO_SOURCE"
    title = "That supplier has no SKU mapped to this shop SKU"


class UnknownSku(ValidationFailed):
    code = "UNKNOWN_SKU"
    title = "The shop has no SKU with this code; add it to the catalog first"


class OutOfStock(Conflict):
    code = "OUT_OF_STOCK"
    title = "The supplier's stock for this SKU is not enough"


class TooManyDispatchOrders(Conflict):
    code = "TOO_MANY_DISPATCH_ORDERS"
    title = "An order can have at most 99 dispatch orders"


# --- order changes (cancelling units, correcting the recipient) ------------------------------

class AlreadyShipped(Conflict):
    code = "ALREADY_SHIPPED"
    title = "Something of the order has already left; that part can no longer change"


class AlreadyCancelled(Conflict):
    code = "ALREADY_CANCELLED"
    title = "Those units are cancelled already, or their cancellation waits for the supplier"


class PaidAtOutOfRange(ValidationFailed):
    code = "PAID_AT_OUT_OF_RANGE"
    title = "The payment time is in the future or too far back"
