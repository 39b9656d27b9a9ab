from __future__ import annotations

from daifa.errors import Conflict, NotFound, ValidationFailed


class ProductExists(Conflict):
    code = "PRODUCT_EXISTS"
    title = "A product with this spu_code already exists"


class SkuExists(Conflict):
    code = "SKU_EXISTS"
    title = "A SKU with this sku_code already exists"


class DuplicateSkuCode(ValidationFailed):
    code = "DUPLICATE_SKU_CODE"
    title = "The same sku_code appears more than once"


class InvalidPriceTiers(ValidationFailed):
    code = "INVALID_PRICE_TIERS"
    title = "The price tiers are not valid"


class ProductNotFound(NotFound):
    code = "PRODUCT_NOT_FOUND"
    title = "No such product"


class SkuNotFound(NotFound):
    code = "SKU_NOT_FOUND"
    title = "No such SKU"


class SupplierNotBound(ValidationFailed):
    code = "SUPPLIER_NOT_BOUND"
    title = "That supplier is not active and bound to this shop"


class SupplierSkuNotFound(ValidationFailed):
    code = "SUPPLIER_SKU_NOT_FOUND"
    title = "That supplier has no active SKU with this code"


class DuplicateSource(ValidationFailed):
    code = "DUPLICATE_SOURCE"
    title = "A shop SKU has at most one source per supplier"
