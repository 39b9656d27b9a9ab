"""A shop's orders: the filtered list (and the unassigned queue with bulk assignment), one
order with its lines, dispatch orders, reasons and timeline, manual assignment, reassignment,
cancelling units and correcting the recipient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form

from daifa.bindings import service as bindings
from daifa.catalog import mapping
from daifa.context import Ctx
from daifa.dispatch import actions
from daifa.errors import ValidationFailed
from daifa.fulfilment import assign, cancel, orders, recipient_change, timeline
from daifa.fulfilment.reassign import reassign
from daifa.kit.pagination import MAX_LIMIT
from daifa.orders.schemas import (
    AssignmentIn,
    BulkAssignmentIn,
    CancelIn,
    CancelLineIn,
    RecipientIn,
)
from daifa.orders.service import parse_order_id
from daifa.orders.states import OrderStatus
from daifa.shipping import console_queries
from daifa.shops import service as shops
from daifa.shops.models import Shop
from daifa.web import forms
from daifa.web.page import Page, form_page, page
from daifa.web.routes.shop_catalog import bound
from daifa.web.security import safe_next
from daifa.web.shipping_words import HOLD_CHOICES, ShippingWords
from daifa.web.timeline_words import TimelineWords
from daifa.web.words import Words

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20


@dataclass
class Query:
    """The list's filters as typed, kept in every link of the page."""

    status: str = ""
    supplier_id: str = ""
    date_from: str = ""
    date_to: str = ""
    unassigned: str = ""

    def link(self, shop_id: str) -> str:
        kept = {k: v for k, v in vars(self).items() if v}
        return f"/shops/{shop_id}/orders" + (f"?{urlencode(kept)}" if kept else "")

    def filters(self, zone: ZoneInfo) -> orders.Filters:
        status = OrderStatus(self.status) if self.status in set(OrderStatus) else None
        return orders.Filters(
            status=status, supplier_id=self.supplier_id or None,
            created_from=forms.day_start(self.date_from, zone),
            created_to=forms.day_start(self.date_to, zone, plus_days=1),
            unassigned=True if self.unassigned == "1" else None)


def names(ctx: Ctx, shop: Shop) -> dict[str, str]:
    """Supplier ID → name for every supplier the shop was ever bound to."""
    return {b.supplier_id: b.supplier_name
            for b in bindings.for_shop(ctx, shop, limit=MAX_LIMIT).items}


@router.get("/shops/{shop_id}/orders")
def order_list(shop_id: str, status: str = "", supplier_id: str = "", date_from: str = "",
               date_to: str = "", unassigned: str = "", cursor: str = "",
               current: Page = Depends(page)) -> object:
    query = Query(status, supplier_id[:40], date_from[:10], date_to[:10], unassigned)
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        filters = orders.Filters(unassigned=True if unassigned == "1" else None)
        with current.attempt(ctx, form="filters"):
            filters = query.filters(current.console.zone)
        found = orders.page(ctx, shop, filters, forms.cursor_key(cursor), PAGE_SIZE)
        known = names(ctx, shop)
        return current.render(
            "orders/list.html", shop=shop, items=found.items, next_cursor=found.next_cursor(),
            first_shown=bool(cursor), query=query, base=query.link(shop_id),
            statuses=list(OrderStatus), names=known, suppliers=bound(ctx, shop),
            words=Words(current.gettext, known), queue=unassigned == "1")


@router.get("/shops/{shop_id}/orders/{order_id}")
def order_detail(shop_id: str, order_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return current.render("orders/detail.html", **_detail(current, ctx, shop, order_id))


def _detail(current: Page, ctx: Ctx, shop: Shop, order_id: str) -> dict[str, Any]:
    order = orders.get(ctx, shop, order_id)
    known = names(ctx, shop)
    waiting = {line.sku_code for line in order.unassigned_lines}
    return {"shop": shop, "order": order, "names": known, "suppliers": bound(ctx, shop),
            "sources": mapping.sources_by_sku(ctx, shop, waiting) if waiting else {},
            "words": Words(current.gettext, known),
            # the dispatch orders' parcels, cancel and hold (fulfilment/_shop_do.html)
            "parcels": console_queries.parcels_of_order(ctx, shop, order.order_id),
            "actions": actions.of_each(order.dispatch_orders, "shop"),
            "ship_words": ShippingWords(current.gettext), "hold_choices": HOLD_CHOICES,
            "story": timeline.fold_repeats(order.timeline or []),
            "tw": TimelineWords(current.gettext, current.locale, known),
            # order changes (orders/_changes.html): what may still be cancelled, and whether
            # the recipient may still be corrected
            "cancellable": cancel.cancellable(order),
            "may_correct": recipient_change.may_correct(order)}


def _assignments(line_id: list[str], supplier_id: list[str],
                 quantity: list[str]) -> list[AssignmentIn]:
    rows = forms.rows({"line_id": line_id, "supplier_id": supplier_id, "quantity": quantity})
    wanted = [row for row in rows if row["supplier_id"] and row["quantity"] not in ("", "0")]
    if not wanted:
        raise ValidationFailed(fields="supplier_id, quantity")
    return [AssignmentIn.model_validate(row) for row in wanted]


@router.post("/shops/{shop_id}/orders/{order_id}/assign")
def assign_order(shop_id: str, order_id: str, line_id: Texts = [],  # noqa: B006
                 supplier_id: Texts = [], quantity: Texts = [],  # noqa: B006
                 current: Page = Depends(form_page)) -> object:
    """Manual assignment: per line a supplier and a quantity; a line may be split by giving
    several rows for it."""
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="assign") as outcome:
            order = assign.assign(ctx, shop, order_id,
                                  _assignments(line_id, supplier_id, quantity))
        if outcome.ok:
            current.flash("success", current.gettext("Assigned; the order is now %(status)s.",
                                                     status=order.status), form="assign")
    return current.redirect(f"/shops/{shop_id}/orders/{order_id}#lines")


@router.post("/shops/{shop_id}/bulk-assign")
def bulk_assign(shop_id: str, supplier_id: Text = "", pick: Texts = [],  # noqa: B006
                back: Text = "", current: Page = Depends(form_page)) -> object:
    """Ticked waiting lines (`order_id:line_id:units`) of the queue, all to one supplier;
    each order on its own, so one that fails does not stop the others."""
    target = safe_next(back, f"/shops/{shop_id}/orders?unassigned=1")
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="bulk") as outcome:
            items = [BulkAssignmentIn.model_validate(
                {"order_id": o, "line_id": line, "quantity": units, "supplier_id": supplier_id})
                for o, line, units in (p.split(":", 2) for p in pick if p.count(":") == 2)]
            if not items:
                raise ValidationFailed(fields="pick")
            results = assign.assign_bulk(ctx, shop, items)
        if outcome.ok:
            done = [r for r in results if r.error is None]
            current.flash("success", current.gettext("%(n)s orders assigned.", n=len(done)),
                          form="bulk")
            for r in results:
                if r.error is not None:
                    current.flash("error", current.gettext("Order %(id)s not assigned.",
                                                           id=r.order_id),
                                  code=r.error.code, form="bulk")
    return current.redirect(target)


@router.post("/shops/{shop_id}/dispatch-orders/{no}/reassign")
def reassign_dispatch(shop_id: str, no: str, supplier_id: Text = "", reason: Text = "",
                      order_id: Text = "", current: Page = Depends(form_page)) -> object:
    """Move a dispatch order nobody accepted yet to another bound supplier."""
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form=f"reassign-{no}") as outcome:
            moved = reassign(ctx, shop, no, supplier_id, reason.strip()[:500] or None)
        if outcome.ok:
            order_id = moved.order_id
            current.flash("success", current.gettext(
                "Dispatch order %(old)s reassigned: %(new)s goes to %(supplier)s.", old=no,
                new=moved.dispatch_order_no, supplier=moved.supplier_id), form="dispatch")
    path = f"/shops/{shop_id}/orders/{parse_order_id(order_id) or ''}"
    return current.redirect(f"{path}#dispatch" if parse_order_id(order_id)
                            else f"/shops/{shop_id}/orders")


def _cancel_lines(line_id: list[str], quantity: list[str]) -> list[CancelLineIn]:
    rows = forms.rows({"line_id": line_id, "quantity": quantity})
    wanted = [row for row in rows if row["quantity"] not in ("", "0")]
    if not wanted:
        raise ValidationFailed(fields="quantity")
    return [CancelLineIn.model_validate(row) for row in wanted]


@router.post("/shops/{shop_id}/orders/{order_id}/cancel")
def cancel_order(shop_id: str, order_id: str, reason: Text = "", whole: Text = "",
                 line_id: Texts = [], quantity: Texts = [],  # noqa: B006
                 current: Page = Depends(form_page)) -> object:
    """Cancel the whole order (`whole=1`: every unit not left) or the units given per line."""
    form = "cancel-whole" if whole == "1" else "cancel-units"
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form=form, values={"reason": reason}) as outcome:
            lines = None if whole == "1" else _cancel_lines(line_id, quantity)
            body = CancelIn.model_validate({"reason": reason, "lines": lines})
            order = cancel.cancel(ctx, shop, order_id, body.reason, body.lines)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Cancelled; the order is now: %(status)s. Units of accepted dispatch orders "
                "are cancelled once their supplier agrees.",
                status=Words(current.gettext).order_status(order.status)), form="changes")
    return current.redirect(f"/shops/{shop_id}/orders/{order_id}#changes")


@router.post("/shops/{shop_id}/orders/{order_id}/recipient")
def correct_recipient(shop_id: str, order_id: str, name: Text = "", phone: Text = "",
                      province: Text = "", city: Text = "", district: Text = "",
                      detail: Text = "", current: Page = Depends(form_page)) -> object:
    """Correct the recipient before anything leaves; the suppliers are told."""
    values = {"name": name, "phone": phone, "province": province, "city": city,
              "district": district, "detail": detail}
    address = {"province": province, "city": city, "district": district, "detail": detail}
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="recipient", values=values) as outcome:
            data = RecipientIn.model_validate({
                "name": name or None, "phone": phone or None,
                "address": address if any(address.values()) else None})
            recipient_change.correct(ctx, shop, order_id, data)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Recipient corrected; the suppliers of its dispatch orders have been told."),
                form="changes")
    return current.redirect(f"/shops/{shop_id}/orders/{order_id}#changes")
