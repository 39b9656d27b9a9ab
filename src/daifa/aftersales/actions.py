"""What the parties, the platform and the system do to a case (states.py has the table and the
decisions behind it). Every move goes through `audit.fire` (table check, conditional UPDATE,
timeline event), then `CaseMoved` for the reactions (webhooks). Of two people acting at once
exactly one wins; the other gets 409 with the current status.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from daifa.aftersales import access, opening, replacements
from daifa.aftersales.access import CaseTarget
from daifa.aftersales.errors import RefundExceedsPaid, ReturnAddressNotFound, ReturnAddressRequired
from daifa.aftersales.models import ReturnAddress
from daifa.aftersales.moves import move
from daifa.aftersales.states import (
    APPROVE_ACTION,
    RETURN_TYPES,
    CaseRejectReason,
    CaseType,
    Condition,
    Liability,
)
from daifa.context import Ctx
from daifa.shipping.carriers import normalise_tracking_no, resolve_carrier

# --- the supplier ---------------------------------------------------------------------------

def approve(ctx: Ctx, no: str, return_address_id: int | None = None) -> CaseTarget:
    target = access.for_supplier(ctx, no)
    _approve(ctx, target, return_address_id, auto=False)
    return target


def approve_silent(ctx: Ctx, target: CaseTarget) -> None:
    """No answer by `reply_by` (the worker): approved as the supplier would, with its default
    return address; without one a return has nowhere to go, so the platform decides."""
    try:
        _approve(ctx, target, None, auto=True)
    except ReturnAddressRequired:
        move(ctx, target, "refer", reason="no_return_address")


def _approve(ctx: Ctx, target: CaseTarget, address_pk: int | None, *, auto: bool) -> None:
    case = target.case
    kind = CaseType(case.type)
    action = APPROVE_ACTION[kind]
    values: dict[str, Any] = {"answered_at": ctx.now(), "auto_approved": auto}
    data = {"auto": True} if auto else None
    if kind in RETURN_TYPES:
        values.update(return_address=_address(ctx, case.supplier_pk, address_pk),
                      return_by=ctx.now() + timedelta(days=ctx.settings.after_sales_return_days))
    move(ctx, target, action, data=data, **values)
    if action == "approve_reship":
        replacements.send(ctx, target)


def _address(ctx: Ctx, supplier_pk: int, address_pk: int | None) -> dict[str, Any]:
    query = select(ReturnAddress).where(ReturnAddress.supplier_pk == supplier_pk)
    if address_pk is not None:
        row = ctx.session.scalar(query.where(ReturnAddress.id == address_pk))
        if row is None:
            raise ReturnAddressNotFound()
    else:
        row = ctx.session.scalar(query.where(ReturnAddress.is_default.is_(True)))
        if row is None:
            raise ReturnAddressRequired()
    return snapshot(row)


def snapshot(row: ReturnAddress) -> dict[str, Any]:
    """The address as the case keeps it: later edits of the address do not change it."""
    return {"id": row.id, "name": row.name, "phone": row.phone, "province": row.province,
            "city": row.city, "district": row.district, "detail": row.detail}


def reject(ctx: Ctx, no: str, reason: CaseRejectReason, note: str | None = None) -> CaseTarget:
    target = access.for_supplier(ctx, no)
    move(ctx, target, "reject", reason=reason.value, data={"note": note} if note else None,
         reject_reason=reason.value, rejected_at=ctx.now(), answered_at=ctx.now())
    return target


def receive(ctx: Ctx, no: str, condition: Condition, note: str | None = None) -> CaseTarget:
    """The buyer's parcel is back. As expected, a return is refunded and an exchange's
    replacement goes out; anything else leaves the case in dispute."""
    target = access.for_supplier(ctx, no)
    move(ctx, target, "receive", reason=condition.value, data={"note": note} if note else None,
         condition=condition.value, received_at=ctx.now())
    if condition is not Condition.AS_EXPECTED:
        return target
    if target.case.type == CaseType.EXCHANGE:
        move(ctx, target, "replace")
        replacements.send(ctx, target)
    else:
        move(ctx, target, "refund")
    return target


# --- the shop -------------------------------------------------------------------------------

def send_return(ctx: Ctx, no: str, carrier: str, tracking_no: str) -> CaseTarget:
    """The buyer's return parcel; entered again, it corrects the one before."""
    target = access.for_shop(ctx, no)
    code = resolve_carrier(carrier).code
    number = normalise_tracking_no(tracking_no)
    move(ctx, target, "send_return", data={"carrier": code, "tracking_no": number},
         return_carrier_code=code, return_tracking_no=number, return_sent_at=ctx.now())
    return target


def cancel(ctx: Ctx, no: str, reason: str | None = None) -> CaseTarget:
    """Withdrawn: its units may be claimed again."""
    target = access.for_shop(ctx, no)
    move(ctx, target, "cancel", reason=reason)
    opening.release(ctx, target.case)
    return target


# --- either party, the platform -------------------------------------------------------------

def escalate(ctx: Ctx, no: str, reason: str) -> CaseTarget:
    target = access.for_party(ctx, no)
    move(ctx, target, "escalate", reason=reason, data={"by": target.party},
         escalated_by=target.party)
    return target


def decide(ctx: Ctx, no: str, liability: Liability, refund_fen: int, note: str) -> CaseTarget:
    target = access.for_admin(ctx, no)
    case = target.case
    if refund_fen > case.paid_fen:
        raise RefundExceedsPaid(refund_fen=refund_fen, paid_fen=case.paid_fen)
    move(ctx, target, "decide", reason=note,
         data={"liability": liability.value, "refund_fen": refund_fen},
         liability=liability.value, final_refund_fen=refund_fen, decision_note=note)
    return target
