"""Domain errors as the console says them: one message per stable code, always with the code.

The API maps errors to problem+json in api/problems.py; this is the console's single mapping.
Message ids are English and translated through the catalogs; codes are never translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from daifa.errors import DaifaError, RateLimited, ValidationFailed
from daifa.identity.rules import MIN_PASSWORD


def N_(message: str) -> str:
    """Mark a message for extraction (Babel looks for `N_`); translated where shown."""
    return message


MESSAGES: dict[str, str] = {
    "INVALID_CREDENTIALS": N_("Login or password is incorrect."),
    "TOO_MANY_ATTEMPTS": N_("Too many failed sign-ins. Try again in %(seconds)s seconds."),
    "RATE_LIMITED": N_("Too many requests. Try again in %(seconds)s seconds."),
    "LOGIN_TAKEN": N_("That login is already taken; choose another."),
    "INVALID_LOGIN": N_("Use 3 to 64 characters for the login: letters, digits and . _ @ + -, "
                        "starting with a letter or digit."),
    "WEAK_PASSWORD": N_("Choose a password of at least %(min)s characters."),
    "INVALID_PHONE": N_("That phone number is not valid."),
    "NOT_A_SUPPLIER_ID": N_("That is a Shop ID (it starts with SH), not a Supplier ID. Ask the "
                            "supplier for the Supplier ID on its profile; it starts with SP."),
    "INVALID_SUPPLIER_ID": N_("That is not a valid Supplier ID; check the ID for typos. Supplier "
                              "IDs are SP followed by 7 letters and digits."),
    "SUPPLIER_NOT_FOUND": N_("No supplier has that Supplier ID."),
    "SUPPLIER_NOT_ACTIVE": N_("That supplier is not active (waiting for platform review, "
                              "rejected or suspended); only active suppliers can be bound."),
    "ALREADY_BOUND": N_("This shop and supplier are already bound."),
    "APPLICATION_PENDING": N_("An application to this supplier is already waiting for an "
                              "answer."),
    "TOO_MANY_PENDING_APPLICATIONS": N_("Too many applications are waiting for an answer; "
                                        "wait for answers or cancel some first."),
    "APPLICATION_NOT_FOUND": N_("No such binding application."),
    "APPLICATION_EXPIRED": N_("The application expired without an answer."),
    "INVITATION_NOT_FOUND": N_("This invitation link is not valid."),
    "INVITATION_EXPIRED": N_("This invitation has expired; ask the shop for a new one."),
    "INVITATION_REVOKED": N_("The shop revoked this invitation; ask the shop for a new one."),
    "INVITATION_USED_UP": N_("This invitation has been used as often as the shop allowed."),
    "BINDING_NOT_FOUND": N_("There is no active binding between this shop and supplier."),
    "INVALID_TRANSITION": N_("Not possible in the current state (%(status)s)."),
    # catalog
    "PRODUCT_EXISTS": N_("A product with this product code already exists; edit it instead."),
    "SKU_EXISTS": N_("This SKU code is already used by another of your products."),
    "DUPLICATE_SKU_CODE": N_("The same SKU code appears more than once."),
    "INVALID_PRICE_TIERS": N_("Quantity tiers start at 2 units and must increase from tier to "
                              "tier, with prices of 0 or more."),
    "PRODUCT_NOT_FOUND": N_("No such product."),
    "SKU_NOT_FOUND": N_("No such SKU."),
    "SUPPLIER_NOT_BOUND": N_("That supplier is not an active supplier bound to this shop; bind "
                             "it first (invitation or application)."),
    "SUPPLIER_SKU_NOT_FOUND": N_("That supplier has no active SKU with this code; check the "
                                 "code in its product list."),
    "DUPLICATE_SOURCE": N_("A SKU has at most one source per supplier."),
    "UNREADABLE_FILE": N_("This file cannot be read: save it in Excel or WPS as .xlsx, or as "
                          "CSV (UTF-8, UTF-16 or the GB18030 that Excel writes), and upload it "
                          "again."),
    "FILE_TOO_LARGE": N_("The file is too large (at most %(limit)s MB); split it into several."),
    "SHEET_EMPTY": N_("The file has no rows to import."),
    "SHEET_HEADER_INVALID": N_("The first row must name the file's columns. Missing: "
                               "%(missing)s. Start from the template."),
    "SHEET_TOO_LARGE": N_("Too many rows in one file; split it and upload the parts one after "
                          "another."),
    # dispatch settings and rules
    "DEFAULT_SUPPLIER_REQUIRED": N_("This needs a default supplier: whole-store mode sends "
                                    "every line to it, and so does the fallback."),
    "DUPLICATE_SUPPLIER": N_("A rule names each supplier once."),
    "RULE_NOT_FOUND": N_("There is no such rule (any more)."),
    # orders and dispatch orders
    "ORDER_NOT_FOUND": N_("No such order."),
    "LINE_NOT_FOUND": N_("The order has no such line; reload the page."),
    "QUANTITY_EXCEEDS_REMAINING": N_("More units than that line has left to assign or ship "
                                     "(someone may have done it meanwhile); reload the page."),
    "NO_SOURCE": N_("That supplier has no SKU mapped to this one; add the source on the "
                    "product's page first."),
    "UNKNOWN_SKU": N_("The shop has no SKU with this code; add it to the catalog with a "
                      "source first."),
    "OUT_OF_STOCK": N_("The supplier's stock of this SKU is not enough."),
    "TOO_MANY_DISPATCH_ORDERS": N_("An order can have at most 99 dispatch orders."),
    "DISPATCH_ORDER_NOT_FOUND": N_("No such dispatch order."),
    "SAME_SUPPLIER": N_("The dispatch order is already with that supplier."),
    "OPEN_DISPATCH_ORDERS": N_("This supplier still has open dispatch orders from the shop; "
                               "reassign or finish them first."),
    # fulfilment (issue 4)
    "SUPPLIER_ONLY": N_("Only the dispatch order's supplier can do this."),
    "SHOP_ONLY": N_("Only the dispatch order's shop can do this."),
    "DISPATCH_ORDER_ON_HOLD": N_("The dispatch order is on hold; release the hold first."),
    "NOT_ON_HOLD": N_("The dispatch order is not on hold (any more)."),
    "HOLD_PLACED_BY_SHOP": N_("The shop placed this hold; only the shop can release it."),
    "RECIPIENT_NOT_AVAILABLE": N_("The full recipient is shown only while the dispatch order is "
                                  "accepted or partially shipped (now: %(status)s)."),
    "RECIPIENT_REVEAL_LIMIT": N_("You have reached today's limit of %(limit)s looks at full "
                                 "recipients. It starts again at midnight; until "
                                 "then the masked name and region are shown."),
    "UNKNOWN_CARRIER": N_("Unknown carrier: choose one from the list, or write its code or "
                          "Chinese name (SF, 顺丰, 中通…)."),
    "INVALID_TRACKING_NO": N_("A tracking number is 6 to 40 letters, digits or -."),
    "TRACKING_NO_IN_USE": N_("This carrier's tracking number is already used by another "
                             "dispatch order."),
    "SHIPMENT_NOT_FOUND": N_("No such parcel on this dispatch order."),
    "SHOP_NOT_FOUND": N_("No such shop."),
    "NOT_FOUND": N_("Not found."),
    "FORBIDDEN": N_("You are not allowed to do that."),
    "CSRF_FAILED": N_("This form has expired or did not come from this site. Reload the page "
                      "and try again."),
    "VALIDATION_FAILED": N_("Some fields are not valid: %(fields)s."),
    "WEBHOOK_URL_INVALID": N_("Give an absolute http:// or https:// URL."),
    "WEBHOOK_URL_NOT_ALLOWED": N_("Webhook URLs may not point at private, loopback or "
                                  "link-local addresses."),
    "WEBHOOK_EVENT_TYPE_INVALID": N_("Use * for every event, or event types such as "
                                     "dispatch_order.shipped or dispatch_order.*."),
    "WEBHOOK_ENDPOINT_DISABLED": N_("The webhook endpoint is disabled; enable it first."),
    "TOO_MANY_WEBHOOK_ENDPOINTS": N_("Too many webhook endpoints; delete one first."),
    "WEBHOOK_ENDPOINT_NOT_FOUND": N_("No such webhook endpoint."),
    "WEBHOOK_DELIVERY_NOT_FOUND": N_("No such webhook delivery."),
}


@dataclass(frozen=True)
class Explained:
    code: str
    text: str


def explain(exc: DaifaError, gettext: Callable[[str], str]) -> Explained:
    """The translated message for a domain error; unknown codes fall back to its detail."""
    template = MESSAGES.get(exc.code)
    if template is None:
        return Explained(exc.code, exc.detail)
    values = {
        "seconds": exc.retry_after if isinstance(exc, RateLimited) else "",
        "min": MIN_PASSWORD,
        "status": exc.extra.get("current_status", "?"),
        "fields": exc.extra.get("fields", exc.detail),
        "missing": ", ".join(str(m) for m in exc.extra.get("missing", [])) or exc.detail,
        "limit": exc.extra.get("limit", "?"),
    }
    return Explained(exc.code, gettext(template) % values)


def invalid_form(exc: ValidationError) -> DaifaError:
    """A form that failed its schema, as the domain's validation error naming the fields."""
    fields = sorted({str(err["loc"][0]) for err in exc.errors() if err.get("loc")})
    return ValidationFailed(str(exc), fields=", ".join(fields) or "?")
