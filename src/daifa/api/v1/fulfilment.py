"""Dispatch-order actions (docs/api.md, "Fulfilment"): accept, reject, ship, cancel and the
supplier's answer, holds, tracking-number corrections, the full recipient and the label.

Each action returns the dispatch order as it now stands; an illegal move is 409
INVALID_TRANSITION with `current_status` in the problem body.
"""

from __future__ import annotations

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from daifa.api.deps import Call, writer
from daifa.api.guard import guarded_router
from daifa.api.idempotency import JSON, KeyHeader, respond
from daifa.context import Ctx
from daifa.dispatch import holds, lifecycle, recipient
from daifa.dispatch.schemas import (
    CancelIn,
    DispatchOrderOut,
    FullRecipient,
    HoldIn,
    NoteIn,
    RejectIn,
)
from daifa.dispatch.states import HoldReason, RejectReason
from daifa.shipping import service as shipping
from daifa.shipping import views
from daifa.shipping.schemas import CorrectionIn, ShipIn, ShipOut

router = guarded_router(prefix="/dispatch-orders/{dispatch_order_no}",
                   tags=["fulfilment"])
PDF = "application/pdf"


def json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type=JSON)


@router.post("/accept", response_model=DispatchOrderOut)
def accept(dispatch_order_no: str, call: Call = Depends(writer)) -> Response:
    """The supplier takes the dispatch order (from `assigned`)."""
    with call.ctx() as ctx:
        lifecycle.accept(ctx, dispatch_order_no)
        return json(views.visible(ctx, dispatch_order_no))


@router.post("/reject", response_model=DispatchOrderOut)
def reject(dispatch_order_no: str, body: RejectIn, call: Call = Depends(writer)) -> Response:
    """The supplier declines (from `assigned`). In the same request each line goes to the next
    backup supplier its routing named (a new dispatch order, reason `backup`), else back to the
    shop order's unassigned lines; the shop is notified either way."""
    with call.ctx() as ctx:
        lifecycle.reject(ctx, dispatch_order_no, RejectReason(body.reason),
                                     body.note)
        return json(views.visible(ctx, dispatch_order_no))


@router.post("/ship", response_model=ShipOut)
def ship(dispatch_order_no: str, body: ShipIn, request: Request, key: str | None = KeyHeader,
         call: Call = Depends(writer)) -> Response:
    """One parcel: a carrier (code or name) and its tracking number, with `lines` for a partial
    shipment or without them for everything left. More than is left is 409
    QUANTITY_EXCEEDS_REMAINING; an unknown carrier 422 UNKNOWN_CARRIER; a tracking number
    another dispatch order uses 409 TRACKING_NO_IN_USE; a number that does not look like the
    carrier's is shipped with a warning."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        lines = [(line.line_id, line.quantity) for line in body.lines] if body.lines else None
        out = shipping.ship(ctx, dispatch_order_no, body.carrier, body.tracking_no, lines)
        return 200, out.model_dump_json().encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)


@router.patch("/shipments/{shipment_id}", response_model=ShipOut)
def correct_tracking(dispatch_order_no: str, shipment_id: int, body: CorrectionIn,
                     call: Call = Depends(writer)) -> Response:
    """Correct a parcel's tracking number (and carrier); the old one is kept in the record
    and on the timeline."""
    with call.ctx() as ctx:
        return json(shipping.correct(ctx, dispatch_order_no, shipment_id, body.tracking_no,
                                     body.carrier, body.reason))


@router.post("/cancel", response_model=DispatchOrderOut)
def cancel(dispatch_order_no: str, body: CancelIn, call: Call = Depends(writer)) -> Response:
    """The shop cancels: at once while `assigned` (units back to the order), as a request to
    the supplier once `accepted` (`cancel_requested`); 409 once anything shipped."""
    with call.ctx() as ctx:
        lifecycle.cancel(ctx, dispatch_order_no, body.reason)
        return json(views.visible(ctx, dispatch_order_no))


@router.post("/cancel/accept", response_model=DispatchOrderOut)
def accept_cancel(dispatch_order_no: str, call: Call = Depends(writer)) -> Response:
    """The supplier agrees to the shop's cancel request: `cancelled`, units back to the order."""
    with call.ctx() as ctx:
        lifecycle.accept_cancel(ctx, dispatch_order_no)
        return json(views.visible(ctx, dispatch_order_no))


@router.post("/cancel/reject", response_model=DispatchOrderOut)
def reject_cancel(dispatch_order_no: str, body: NoteIn | None = None,
                  call: Call = Depends(writer)) -> Response:
    """The supplier refuses the cancel request: back to `accepted`."""
    with call.ctx() as ctx:
        lifecycle.refuse_cancel(ctx, dispatch_order_no, body.note if body else None)
        return json(views.visible(ctx, dispatch_order_no))


@router.post("/hold", response_model=DispatchOrderOut)
def hold(dispatch_order_no: str, body: HoldIn, call: Call = Depends(writer)) -> Response:
    """Shop or supplier puts it on hold (address_problem, out_of_stock, awaiting_payment,
    other): nothing ships until released. 409 DISPATCH_ORDER_ON_HOLD when already held."""
    with call.ctx() as ctx:
        holds.place(ctx, dispatch_order_no, HoldReason(body.reason), body.note)
        return json(views.visible(ctx, dispatch_order_no))


@router.post("/hold/release", response_model=DispatchOrderOut)
def release_hold(dispatch_order_no: str, body: NoteIn | None = None,
                 call: Call = Depends(writer)) -> Response:
    """Releases the hold; a hold the shop placed only the shop can release (403
    HOLD_PLACED_BY_SHOP)."""
    with call.ctx() as ctx:
        holds.release(ctx, dispatch_order_no, body.note if body else None)
        return json(views.visible(ctx, dispatch_order_no))


@router.get("/recipient", response_model=FullRecipient)
def full_recipient(dispatch_order_no: str,
                   purpose: recipient.Purpose = Query(default=recipient.Purpose.LABEL,
                                                      description="Why it is needed"),
                   call: Call = Depends(writer)) -> Response:
    """The buyer's name, phone and address for its supplier, only while `accepted` or
    `partially_shipped` (else 409 RECIPIENT_NOT_AVAILABLE). Each reveal is recorded (who,
    when, purpose) and counts against the supplier's daily limit (429 with Retry-After)."""
    with call.ctx() as ctx:
        return Response(recipient.reveal(ctx, dispatch_order_no, purpose).model_dump_json(),
                        media_type=JSON, headers={"Cache-Control": "no-store"})


@router.get("/label.pdf", response_class=Response,
            responses={200: {"content": {PDF: {}}, "description": "100 × 150 mm label"}})
def label(dispatch_order_no: str, call: Call = Depends(writer)) -> Response:
    """Packing slip / shipping label for its supplier while `accepted` or `partially_shipped`;
    a recipient reveal with purpose `label`."""
    with call.ctx() as ctx:
        content = recipient.label(ctx, dispatch_order_no)
    return Response(content, media_type=PDF, headers={
        "Cache-Control": "no-store",
        "Content-Disposition": f'inline; filename="{dispatch_order_no.strip().upper()}.pdf"'})

