"""Templates for the generic errors, accounts, organisations, bindings, webhooks and keys."""

from __future__ import annotations

from daifa.messages.marks import N_

ACCOUNTS: dict[str, str] = {
    # generic
    "ERROR": N_("The request failed."),
    "VALIDATION_FAILED": N_("Some fields are not valid: %(fields)s."),
    "UNAUTHENTICATED": N_("Sign in first (the API wants Authorization: Bearer <token>)."),
    "FORBIDDEN": N_("You are not allowed to do that."),
    "NOT_FOUND": N_("Not found."),
    "CONFLICT": N_("Something changed meanwhile; nothing was done. Reload and try again."),
    "INVALID_TRANSITION": N_("Not possible in the current state (%(current_status)s)."),
    "CHANGED_MEANWHILE": N_("Something changed meanwhile; nothing was done. Reload and try "
                            "again."),
    "RATE_LIMITED": N_("Too many requests. Try again in %(seconds)s seconds."),
    "INVALID_CURSOR": N_("That page link is not one this site gave out; start from the first "
                         "page."),
    "BODY_TOO_LARGE": N_("The request body is larger than %(limit)s bytes; send less at a time."),
    "DATABASE_UNAVAILABLE": N_("The database does not answer; try again shortly."),
    "MIGRATIONS_PENDING": N_("The database is at migration %(current)s and this release needs "
                             "%(head)s: run daifa db upgrade."),
    "INVALID_TEXT": N_("%(field)s contains a NUL character or an invalid character (an unpaired "
                       "surrogate); remove it and send again."),
    "NUMBER_OUT_OF_RANGE": N_("%(field)s is outside the numbers that can be stored (%(min)s to "
                              "%(max)s)."),
    "NESTED_TOO_DEEPLY": N_("The body is nested more than %(limit)s levels deep."),
    "DATE_OUT_OF_RANGE": N_("%(field)s must be a time from %(earliest)s up to %(latest)s."),
    "CSRF_FAILED": N_("This form has expired or did not come from this site. Reload the page "
                      "and try again."),
    "CROSS_SITE_POST": N_("This form was sent from another site, so it was refused. Open this "
                          "site yourself and try again there."),
    # identity
    "INVALID_CREDENTIALS": N_("Login or password is incorrect."),
    "TOO_MANY_ATTEMPTS": N_("Too many failed sign-ins. Try again in %(seconds)s seconds."),
    "INVALID_TOKEN": N_("The token is missing, expired or revoked; sign in again."),
    "CONSOLE_SESSION_NOT_FOR_API": N_("That is the console's session; the API takes a token from "
                                      "POST /api/v1/auth/token or an API key."),
    "LOGIN_TAKEN": N_("That login is already taken; choose another."),
    "INVALID_LOGIN": N_("Use %(min)s to %(max)s characters for the login: letters, digits and "
                        ". _ @ + -, starting with a letter or digit."),
    "WEAK_PASSWORD": N_("Choose a password of %(min)s to %(max)s characters."),
    # suppliers and shops
    "INVALID_PHONE": N_("That phone number is not valid."),
    "NOT_A_SUPPLIER_ID": N_("%(given)s is a Shop ID (it starts with SH), not a Supplier ID. Ask "
                            "the supplier for the Supplier ID shown on its profile; it starts "
                            "with SP."),
    "INVALID_SUPPLIER_ID": N_("%(given)s is not a valid Supplier ID; check the ID for typos. "
                              "Supplier IDs look like %(example)s."),
    "SUPPLIER_NOT_FOUND": N_("No supplier has that Supplier ID."),
    "SUPPLIER_NOT_ACTIVE": N_("That supplier is not active (waiting for platform review, "
                              "rejected or suspended); only active suppliers can be bound."),
    "SHOP_NOT_FOUND": N_("No such shop."),
    # bindings
    "ALREADY_BOUND": N_("This shop and supplier are already bound."),
    "APPLICATION_PENDING": N_("An application to this supplier is already waiting for an "
                              "answer."),
    "TOO_MANY_PENDING_APPLICATIONS": N_("%(pending)s applications are waiting for an answer (at "
                                        "most %(limit)s); wait for answers or cancel some "
                                        "first."),
    "APPLICATION_NOT_FOUND": N_("No such binding application."),
    "APPLICATION_EXPIRED": N_("The application expired without an answer."),
    "INVITATION_NOT_FOUND": N_("This invitation link is not valid."),
    "INVITATION_UNUSABLE": N_("This invitation can no longer be used; ask the shop for a new "
                              "one."),
    "INVITATION_EXPIRED": N_("This invitation has expired; ask the shop for a new one."),
    "INVITATION_REVOKED": N_("The shop revoked this invitation; ask the shop for a new one."),
    "INVITATION_USED_UP": N_("This invitation has been used as often as the shop allowed."),
    "BINDING_NOT_FOUND": N_("There is no active binding between this shop and supplier."),
    # webhooks
    "WEBHOOK_URL_INVALID": N_("Give an absolute http:// or https:// URL of at most "
                              "%(max_length)s characters."),
    "WEBHOOK_URL_NOT_ALLOWED": N_("Webhook URLs may not point at private, loopback or "
                                  "link-local addresses."),
    "WEBHOOK_EVENT_TYPE_INVALID": N_("Use * for every event, or event types such as "
                                     "dispatch_order.shipped or dispatch_order.*."),
    "WEBHOOK_ENDPOINT_DISABLED": N_("The webhook endpoint is disabled; enable it first."),
    "TOO_MANY_WEBHOOK_ENDPOINTS": N_("Too many webhook endpoints (at most %(limit)s); delete one "
                                     "first."),
    "WEBHOOK_ENDPOINT_NOT_FOUND": N_("No such webhook endpoint."),
    "WEBHOOK_DELIVERY_NOT_FOUND": N_("No such webhook delivery."),
    "WEBHOOK_SIGNATURE_INVALID": N_("The webhook signature is missing or invalid; sign the body "
                                    "and send t=<unix time>,v1=<hex>."),
    "WEBHOOK_TIMESTAMP_STALE": N_("The webhook timestamp is %(skew)s s away from now; at most "
                                  "%(tolerance)s s is allowed."),
    # idempotency
    "IDEMPOTENCY_KEY_REUSED": N_("This Idempotency-Key was first used with another body; use a "
                                 "new key for a different request."),
    "IDEMPOTENCY_KEY_IN_USE": N_("A request with this Idempotency-Key is still running; retry "
                                 "shortly."),
    "INVALID_IDEMPOTENCY_KEY": N_("An Idempotency-Key is 1 to %(max_length)s printable ASCII "
                                  "characters."),
}
