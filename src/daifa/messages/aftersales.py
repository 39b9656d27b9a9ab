"""Templates for after-sales cases, their evidence and suppliers' return addresses."""

from __future__ import annotations

from daifa.messages.marks import N_

AFTERSALES: dict[str, str] = {
    "AFTER_SALE_NOT_FOUND": N_("No such after-sales case."),
    "QUANTITY_EXCEEDS_ELIGIBLE": N_("Line %(line_id)s: %(quantity)s units asked, but only "
                                    "%(eligible)s were shipped and are not already in a case."),
    "REFUND_EXCEEDS_PAID": N_("The refund (%(refund_fen)s fen) is more than the buyer paid for "
                              "those units (%(paid_fen)s fen)."),
    "AFTER_SALES_WINDOW_CLOSED": N_("The after-sales window for dispatch order "
                                    "%(dispatch_order_no)s closed on %(closed_on)s."),
    "RETURN_ADDRESS_REQUIRED": N_("Choose the return address the buyer sends the parcel to, or "
                                  "mark one of your return addresses as the default."),
    "RETURN_ADDRESS_NOT_FOUND": N_("No such return address."),
    "EXCHANGE_SKU_NOT_OFFERED": N_("Supplier %(supplier_id)s does not supply SKU %(sku_code)s "
                                   "to this shop; pick a SKU it supplies."),
    "CASE_SUPPLIER_ONLY": N_("Only the case's supplier can do this."),
    "CASE_SHOP_ONLY": N_("Only the case's shop can do this."),
    "EVIDENCE_TYPE_NOT_ALLOWED": N_("Evidence must be a JPEG, PNG or WebP photo or a PDF; this "
                                    "file is not one, whatever its name says."),
    "EVIDENCE_TOO_LARGE": N_("The evidence file is too large (at most %(limit_mb)s MB, and "
                             "photos at most %(max_megapixels)s megapixels)."),
    "EVIDENCE_LIMIT": N_("A case holds at most %(limit)s evidence files."),
    "EVIDENCE_NOT_FOUND": N_("No such evidence file."),
}
