from __future__ import annotations

from daifa.errors import Conflict, DaifaError, Forbidden, NotFound, ValidationFailed


class CaseNotFound(NotFound):
    code = "AFTER_SALE_NOT_FOUND"
    title = "No such after-sales case"


class QuantityExceedsEligible(Conflict):
    code = "QUANTITY_EXCEEDS_ELIGIBLE"
    title = "More units than were shipped and are not already claimed"


class RefundExceedsPaid(ValidationFailed):
    code = "REFUND_EXCEEDS_PAID"
    title = "The refund is more than the buyer paid for those units"


class WindowClosed(Conflict):
    code = "AFTER_SALES_WINDOW_CLOSED"
    title = "The after-sales window has closed"


class ReturnAddressRequired(ValidationFailed):
    code = "RETURN_ADDRESS_REQUIRED"
    title = "A return needs a return address"


class ReturnAddressNotFound(NotFound):
    code = "RETURN_ADDRESS_NOT_FOUND"
    title = "No such return address"


class ExchangeSkuNotOffered(ValidationFailed):
    code = "EXCHANGE_SKU_NOT_OFFERED"
    title = "The supplier does not supply that SKU to the shop"


class CaseSupplierOnly(Forbidden):
    code = "CASE_SUPPLIER_ONLY"
    title = "Only the case's supplier can do this"


class CaseShopOnly(Forbidden):
    code = "CASE_SHOP_ONLY"
    title = "Only the case's shop can do this"


class EvidenceType(ValidationFailed):
    code = "EVIDENCE_TYPE_NOT_ALLOWED"
    title = "Evidence must be a JPEG, PNG or WebP image or a PDF"


class EvidenceTooLarge(DaifaError):
    code = "EVIDENCE_TOO_LARGE"
    status = 413
    title = "The evidence file is too large"


class EvidenceLimit(Conflict):
    code = "EVIDENCE_LIMIT"
    title = "The case has as many evidence files as it may"


class EvidenceNotFound(NotFound):
    code = "EVIDENCE_NOT_FOUND"
    title = "No such evidence file"
