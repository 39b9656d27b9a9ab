"""Parcel tracking: the signed inbound webhook of tracking providers, and tracking per
dispatch order for its shop and supplier."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Header, Request

from daifa.api.deps import Call, public_writer, reader
from daifa.api.guard import guarded_router
from daifa.tracking import service as tracking
from daifa.tracking import views
from daifa.tracking.errors import TrackingBodyTooLarge
from daifa.tracking.schemas import TrackingAccepted, TrackingOut, TrackingWebhookIn

router = guarded_router(tags=["tracking"])
MAX_BODY = 2 * 1024 * 1024


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """A JSON schema with its local $refs replaced by their definitions (for openapi_extra)."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _inline(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline(value, defs) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


_BODY_SCHEMA = TrackingWebhookIn.model_json_schema()
WEBHOOK_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": _inline(_BODY_SCHEMA, _BODY_SCHEMA.get("$defs", {}))}}}}


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: the signature is over these bytes (at most 2 MB)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise TrackingBodyTooLarge(limit=MAX_BODY)
    body = await request.body()
    if len(body) > MAX_BODY:
        raise TrackingBodyTooLarge(limit=MAX_BODY)
    return body


@router.post(
    "/tracking/webhooks/{provider}", status_code=202, response_model=TrackingAccepted,
    openapi_extra=WEBHOOK_BODY)
def receive(provider: str, body: bytes = Depends(raw_body),
            signature: str | None = Header(
                default=None, alias="Daifa-Signature",
                description="t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> with the "
                            "provider's secret; at most 5 minutes old"),
            call: Call = Depends(public_writer)) -> TrackingAccepted:
    """For tracking providers: events are stored as sent and applied by the worker, so this
    answers at once. Repeats and out-of-order events are fine."""
    with call.ctx(anonymous=True) as ctx:
        return tracking.receive(ctx, provider, body, signature)


@router.get("/dispatch-orders/{dispatch_order_no}/tracking", response_model=TrackingOut)
def dispatch_order_tracking(dispatch_order_no: str,
                            call: Call = Depends(reader)) -> TrackingOut:
    """Its parcels with their tracking events (status codes and Chinese labels); for its shop
    and its supplier."""
    with call.ctx() as ctx:
        return views.for_dispatch_order(ctx, dispatch_order_no)
