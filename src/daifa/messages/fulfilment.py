"""Templates for the catalog, assignment, dispatch orders, shipping and tracking, and warnings.

UNKNOWN_CARRIER and INVALID_TRACKING_NO keep the wording the shipping file's row reasons have
always had, since those rows still carry the English sentence.
"""

from __future__ import annotations

from daifa.messages.marks import N_

FULFILMENT: dict[str, str] = {
    # catalog
    "PRODUCT_EXISTS": N_("A product with the product code %(spu_code)s already exists; edit it "
                         "instead."),
    "SKU_EXISTS": N_("The SKU code %(sku_code)s is already used by another of your products."),
    "DUPLICATE_SKU_CODE": N_("The SKU code %(sku_code)s appears more than once."),
    "INVALID_PRICE_TIERS": N_("Quantity tiers start at %(min_quantity)s units and must increase "
                              "from tier to tier, with prices of 0 or more; at most "
                              "%(max_tiers)s tiers."),
    "PRODUCT_NOT_FOUND": N_("No such product: %(spu_code)s."),
    "SKU_NOT_FOUND": N_("No such SKU: %(sku_code)s."),
    "SUPPLIER_NOT_BOUND": N_("Supplier %(supplier_id)s is not an active supplier bound to this "
                             "shop; bind it first (invitation or application)."),
    "SUPPLIER_SKU_NOT_FOUND": N_("Supplier %(supplier_id)s has no active SKU with the code "
                                 "%(sku_code)s; check the code in its product list."),
    "DUPLICATE_SOURCE": N_("A SKU has at most one source per supplier."),
    "UNREADABLE_FILE": N_("This file cannot be read as .csv, .xlsx or .xls: save it in Excel or "
                          "WPS as .xlsx, or as CSV (UTF-8, UTF-16 or the GB18030 that Excel "
                          "writes), and upload it again."),
    "FILE_TOO_LARGE": N_("The file is too large (at most %(limit_mb)s MB); split it into "
                         "several."),
    # dispatch settings and rules
    "DEFAULT_SUPPLIER_REQUIRED": N_("This needs a default supplier: whole-store mode sends "
                                    "every line to it, and so does the fallback."),
    "DUPLICATE_SUPPLIER": N_("A rule names each supplier once; %(supplier_id)s is named more "
                             "than once."),
    "RULE_NOT_FOUND": N_("There is no such rule (any more)."),
    # orders and assignment
    "ORDER_NOT_FOUND": N_("No such order."),
    "PAID_AT_OUT_OF_RANGE": N_("paid_at must lie between %(days)s days ago and %(minutes)s "
                               "minutes from now."),
    "LINE_NOT_FOUND": N_("The order has no such line; reload the page."),
    "QUANTITY_EXCEEDS_REMAINING": N_("More units than that line has left to assign or ship "
                                     "(someone may have done it meanwhile); reload the page."),
    "NO_SOURCE": N_("Supplier %(supplier_id)s has no SKU mapped to %(sku_code)s; add the source "
                    "on the product's page first."),
    "UNKNOWN_SKU": N_("The shop has no SKU with the code %(sku_code)s; add it to the catalog "
                      "with a source first."),
    "OUT_OF_STOCK": N_("The supplier's stock of %(sku_code)s is not enough."),
    "TOO_MANY_DISPATCH_ORDERS": N_("An order can have at most %(limit)s dispatch orders."),
    # dispatch orders
    "DISPATCH_ORDER_NOT_FOUND": N_("No such dispatch order."),
    "SAME_SUPPLIER": N_("The dispatch order is already with that supplier."),
    "OPEN_DISPATCH_ORDERS": N_("This supplier still has open dispatch orders from the shop; "
                               "reassign or finish them first."),
    "SUPPLIER_ONLY": N_("Only the dispatch order's supplier can do this."),
    "SHOP_ONLY": N_("Only the dispatch order's shop can do this."),
    "DISPATCH_ORDER_ON_HOLD": N_("The dispatch order is on hold; release the hold first."),
    "NOT_ON_HOLD": N_("The dispatch order is not on hold (any more)."),
    "HOLD_PLACED_BY_SHOP": N_("The shop placed this hold; only the shop can release it."),
    "RECIPIENT_NOT_AVAILABLE": N_("The full recipient is shown only while the dispatch order is "
                                  "accepted or partially shipped (now: %(current_status)s)."),
    "RECIPIENT_REVEAL_LIMIT": N_("You have reached today's limit of %(limit)s looks at full "
                                 "recipients. It starts again at midnight; until "
                                 "then the masked name and region are shown."),
    # shipping
    "UNKNOWN_CARRIER": N_("Unknown carrier '%(carrier)s'; use one of: %(carriers)s"),
    "INVALID_TRACKING_NO": N_("Tracking number '%(tracking_no)s' must be %(min)s-%(max)s "
                              "letters, digits or '-'"),
    "TRACKING_NO_IN_USE": N_("This carrier's tracking number is already used by another "
                             "dispatch order."),
    "SHIPMENT_NOT_FOUND": N_("No such parcel on this dispatch order."),
    "SHEET_EMPTY": N_("The file has no rows to import."),
    "SHEET_HEADER_INVALID": N_("The first row must name the file's columns: %(expected)s. "
                               "Missing: %(missing)s. Start from the template."),
    "SHEET_TOO_LARGE": N_("Too many rows in one file (at most %(max_rows)s rows); split it and "
                          "upload the parts one after another."),
    "REQUEST_TIME_EXCEEDED": N_("The request took longer than %(seconds)s seconds and was "
                                "stopped. Send it again, or send less at once."),
    "IMPORT_NOT_FOUND": N_("No such import."),
    "SHEET_TOO_WIDE": N_("The sheet reaches beyond column %(max_columns)s; delete the columns "
                         "after the last one the template has."),
    "SHEET_TOO_SLOW": N_("Reading the file took longer than %(seconds)s seconds; split it and "
                         "upload the parts one after another."),
    "SHEET_UNPACKS_TOO_LARGE": N_("The workbook unpacks to more than %(limit_mb)s MB, or packs "
                                  "more than %(ratio)s to 1; copy its rows into a new workbook "
                                  "or save it as CSV."),
    "SHEET_COLUMN_TWICE": N_("The column %(column)s appears twice in the first row; keep one."),
    # tracking
    "TRACKING_PROVIDER_NOT_FOUND": N_("No tracking provider %(provider)s is set up here."),
    "UNKNOWN_TRACKING_STATUS": N_("Unknown tracking status '%(given)s'; use one of: "
                                  "%(statuses)s"),
    "PAYLOAD_TOO_LARGE": N_("The request body is larger than %(limit)s bytes; send fewer events "
                            "at once."),
    # warnings: shipped anyway
    "TRACKING_NO_SHAPE": N_("%(tracking_no)s does not look like a %(carrier_name)s %(carrier)s "
                            "tracking number (usually %(shape)s); check it."),
}
