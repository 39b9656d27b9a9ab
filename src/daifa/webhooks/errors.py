from __future__ import annotations

from daifa.errors import Conflict, NotFound, Unauthenticated, ValidationFailed


class WebhookEndpointNotFound(NotFound):
    code = "WEBHOOK_ENDPOINT_NOT_FOUND"
    title = "Webhook endpoint not found"


class WebhookDeliveryNotFound(NotFound):
    code = "WEBHOOK_DELIVERY_NOT_FOUND"
    title = "Webhook delivery not found"


class WebhookUrlInvalid(ValidationFailed):
    code = "WEBHOOK_URL_INVALID"
    title = "A webhook URL must be an absolute http:// or https:// URL"


class WebhookUrlNotAllowed(ValidationFailed):
    code = "WEBHOOK_URL_NOT_ALLOWED"
    title = "Webhook URLs may not point at private, loopback or link-local addresses"


class WebhookEventTypeInvalid(ValidationFailed):
    code = "WEBHOOK_EVENT_TYPE_INVALID"
    title = "Unknown event type pattern"


class WebhookEndpointDisabled(Conflict):
    code = "WEBHOOK_ENDPOINT_DISABLED"
    title = "The webhook endpoint is disabled"


class TooManyWebhookEndpoints(Conflict):
    code = "TOO_MANY_WEBHOOK_ENDPOINTS"
    title = "Too many webhook endpoints"


class UnsafeSupplierPayload(ValueError):
    """A programming error: an event for a supplier carried a shop-only or personal field."""


class WebhookSignatureInvalid(Unauthenticated):
    code = "WEBHOOK_SIGNATURE_INVALID"
    title = "Webhook signature missing or invalid"


class WebhookTimestampStale(Unauthenticated):
    code = "WEBHOOK_TIMESTAMP_STALE"
    title = "Webhook timestamp outside the accepted window"
