from __future__ import annotations

from daifa.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed


class DispatchOrderNotFound(NotFound):
    code = "DISPATCH_ORDER_NOT_FOUND"
    title = "No such dispatch order"


class OpenDispatchOrders(Conflict):
    code = "OPEN_DISPATCH_ORDERS"
    title = "This supplier still has open dispatch orders from the shop"


class SameSupplier(ValidationFailed):
    code = "SAME_SUPPLIER"
    title = "The dispatch order is already with that supplier"


# --- the lifecycle ---------------------------------------------------------------------------

class SupplierOnly(Forbidden):
    code = "SUPPLIER_ONLY"
    title = "Only the dispatch order's supplier can do this"


class ShopOnly(Forbidden):
    code = "SHOP_ONLY"
    title = "Only the dispatch order's shop can do this"


class DispatchOrderOnHold(Conflict):
    code = "DISPATCH_ORDER_ON_HOLD"
    title = "The dispatch order is on hold; release the hold first"


class NotOnHold(Conflict):
    code = "NOT_ON_HOLD"
    title = "The dispatch order is not on hold"


class HoldPlacedByShop(Forbidden):
    code = "HOLD_PLACED_BY_SHOP"
    title = "The shop placed this hold; only the shop can release it"


class RecipientNotAvailable(Conflict):
    code = "RECIPIENT_NOT_AVAILABLE"
    title = "The recipient is shown only while the dispatch order is accepted or partially shipped"


class RevealLimitReached(RateLimited):
    code = "RECIPIENT_REVEAL_LIMIT"
    title = "Daily limit of recipient reveals reached"
