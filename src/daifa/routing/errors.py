from __future__ import annotations

from daifa.catalog.errors import ProductNotFound, SkuNotFound, SupplierNotBound
from daifa.errors import NotFound, ValidationFailed

__all__ = ["DefaultSupplierRequired", "DuplicateSupplier", "ProductNotFound", "RuleNotFound",
           "SkuNotFound", "SupplierNotBound"]


class DefaultSupplierRequired(ValidationFailed):
    code = "DEFAULT_SUPPLIER_REQUIRED"
    title = "This mode needs a default supplier"


class DuplicateSupplier(ValidationFailed):
    code = "DUPLICATE_SUPPLIER"
    title = "A rule names each supplier once"


class RuleNotFound(NotFound):
    code = "RULE_NOT_FOUND"
    title = "No dispatch rule for that product or SKU"
