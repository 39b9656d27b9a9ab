from __future__ import annotations

from daifa.errors import Conflict, NotFound, ValidationFailed


class NotASupplierId(ValidationFailed):
    code = "NOT_A_SUPPLIER_ID"
    title = "That is a Shop ID, not a Supplier ID"


class InvalidSupplierId(ValidationFailed):
    code = "INVALID_SUPPLIER_ID"
    title = "That Supplier ID is not valid; check the ID for typos"


class SupplierNotFound(NotFound):
    code = "SUPPLIER_NOT_FOUND"
    title = "No supplier has that Supplier ID"


class SupplierNotActive(Conflict):
    code = "SUPPLIER_NOT_ACTIVE"
    title = "That supplier is not active"


class InvalidPhone(ValidationFailed):
    code = "INVALID_PHONE"
    title = "That phone number is not valid"


class SupplierIsSuspended(Conflict):
    code = "SUPPLIER_SUSPENDED"
    title = "That supplier is suspended and cannot take new work"
