from __future__ import annotations

from daifa.errors import Conflict, NotFound, ValidationFailed


class DispatchOrderNotFound(NotFound):
    code = "DISPATCH_ORDER_NOT_FOUND"
    title = "No such dispatch order"


class OpenDispatchOrders(Conflict):
    code = "OPEN_DISPATCH_ORDERS"
    title = "This supplier still has open dispatch orders from the shop"


class SameSupplier(ValidationFailed):
    code = "SAME_SUPPLIER"
    title = "The dispatch order is already with that supplier"
