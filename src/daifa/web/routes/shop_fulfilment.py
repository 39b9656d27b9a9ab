"""The shop's moves on its dispatch orders, from the order's page: cancel (at once while
`assigned`, a request to the supplier once `accepted`, refused once anything shipped), place and
release a hold. Reassigning is routes/orders.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form

from daifa.dispatch import holds, lifecycle
from daifa.dispatch import service as dispatch
from daifa.dispatch.schemas import CancelIn, HoldIn, NoteIn
from daifa.dispatch.states import DispatchStatus, HoldReason
from daifa.shops import service as shops
from daifa.web.page import Page, form_page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
BASE = "/shops/{shop_id}/dispatch-orders/{no}"


def _back(shop_id: str, order_pk: int) -> str:
    return f"/shops/{shop_id}/orders/{order_pk}#dispatch"


@router.post(BASE + "/cancel")
def cancel(shop_id: str, no: str, reason: Text = "",
           current: Page = Depends(form_page)) -> object:
    form = f"do-{no.strip().upper()}"
    with current.ctx(write=True) as ctx:
        order = dispatch.owned_by_shop(ctx, shops.owned(ctx, shop_id), no)
        with current.attempt(ctx, form=form, values={"reason": reason}) as outcome:
            body = CancelIn.model_validate({"reason": reason})
            lifecycle.cancel(ctx, order.dispatch_order_no, body.reason)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Cancel requested: the supplier accepted it already, so it answers the request.")
                if order.status == DispatchStatus.CANCEL_REQUESTED else current.gettext(
                "Cancelled; its units wait for assignment again."), form=form)
        back = _back(shop_id, order.order_pk)
    return current.redirect(back)


@router.post(BASE + "/hold")
def hold(shop_id: str, no: str, reason: Text = "", note: Text = "",
         current: Page = Depends(form_page)) -> object:
    form = f"do-{no.strip().upper()}"
    with current.ctx(write=True) as ctx:
        order = dispatch.owned_by_shop(ctx, shops.owned(ctx, shop_id), no)
        with current.attempt(ctx, form=form) as outcome:
            body = HoldIn.model_validate({"reason": reason, "note": note.strip() or None})
            holds.place(ctx, order.dispatch_order_no, HoldReason(body.reason), body.note)
        if outcome.ok:
            current.flash("success", current.gettext(
                "On hold: nothing ships until the hold is released."), form=form)
        back = _back(shop_id, order.order_pk)
    return current.redirect(back)


@router.post(BASE + "/release")
def release(shop_id: str, no: str, note: Text = "",
            current: Page = Depends(form_page)) -> object:
    form = f"do-{no.strip().upper()}"
    with current.ctx(write=True) as ctx:
        order = dispatch.owned_by_shop(ctx, shops.owned(ctx, shop_id), no)
        with current.attempt(ctx, form=form) as outcome:
            body = NoteIn.model_validate({"note": note.strip() or None})
            holds.release(ctx, order.dispatch_order_no, body.note)
        if outcome.ok:
            current.flash("success", current.gettext("Hold released."), form=form)
        back = _back(shop_id, order.order_pk)
    return current.redirect(back)
