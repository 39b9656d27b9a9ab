"""Reships and exchanges: a new dispatch order to the case's supplier for the case's units,
accepted at once (approving the case was the supplier's yes), with purpose ``reship`` or
``exchange``. Its units left once already, so it reserves no stock and the shop order's own
units and status ignore it. The case closes (``finish``) when all of it has shipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from daifa.aftersales import access
from daifa.aftersales.access import CaseTarget
from daifa.aftersales.models import AfterSaleCase, AfterSaleLine
from daifa.aftersales.moves import move
from daifa.aftersales.opening import offered_source
from daifa.aftersales.states import CaseStatus, CaseType
from daifa.audit import service as audit
from daifa.catalog.models import SupplySku
from daifa.context import Ctx
from daifa.dispatch import creation, lifecycle
from daifa.dispatch import rules as dispatch_rules
from daifa.dispatch.access import of_order
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import DispatchPurpose, DispatchStatus
from daifa.errors import InvalidTransition
from daifa.orders.models import ShopOrder
from daifa.shipping.upload_db import ShippedByFile

MIN_SHIP_WITHIN = timedelta(hours=24)


def send(ctx: Ctx, target: CaseTarget) -> DispatchOrder:
    case = target.case
    original = ctx.session.get_one(DispatchOrder, case.dispatch_order_pk)
    order = ctx.session.get_one(ShopOrder, case.order_pk)
    now = ctx.now()
    sequence = creation.take_sequences(ctx, order, 1)
    purpose = DispatchPurpose(case.type)
    lines = _lines(ctx, case)
    replacement = DispatchOrder(
        dispatch_order_no=dispatch_rules.dispatch_order_no(now, order.id, sequence),
        order_pk=order.id, sequence=sequence, shop_pk=case.shop_pk,
        supplier_pk=case.supplier_pk, status=DispatchStatus.ASSIGNED.value,
        ship_by=now + max(original.ship_by - original.created_at, MIN_SHIP_WITHIN),
        accept_by=now, created_at=now, purpose=purpose.value,
        supply_total_fen=sum(line.quantity * line.supply_price_fen for line in lines))
    ctx.session.add(replacement)
    ctx.session.flush()
    for line in lines:
        line.dispatch_order_pk = replacement.id
    ctx.session.add_all(lines)
    case.replacement_pk = replacement.id
    audit.record(ctx, "dispatch_order", replacement.dispatch_order_no, "dispatch_order.created",
                 to_status=DispatchStatus.ASSIGNED.value, reason=purpose.value,
                 data={"order_id": str(order.id), "after_sale": target.no,
                       "supplier_id": target.supplier.supplier_id,
                       "lines": [{"line_id": line.line_pk, "quantity": line.quantity,
                                  "reason": purpose.value} for line in lines]})
    lifecycle.move(ctx, of_order(ctx, replacement), "accept", reason=purpose.value)
    return replacement


def _lines(ctx: Ctx, case: AfterSaleCase) -> list[DispatchLine]:
    """The case's units again; an exchange for another SKU ships what the supplier supplies
    for it, at its current price."""
    claimed = ctx.session.execute(
        select(AfterSaleLine.quantity, DispatchLine)
        .join(DispatchLine, DispatchLine.id == AfterSaleLine.dispatch_line_pk)
        .where(AfterSaleLine.case_pk == case.id).order_by(AfterSaleLine.id)).all()
    swap = _swap(ctx, case)
    lines = []
    for quantity, old in claimed:
        sku_pk, sku_code, supplier_sku, price = (
            swap or (old.supply_sku_pk, old.sku_code, old.supplier_sku_code,
                     old.supply_price_fen))
        lines.append(DispatchLine(
            line_pk=old.line_pk, supply_sku_pk=sku_pk, sku_code=sku_code,
            supplier_sku_code=supplier_sku, quantity=quantity, supply_price_fen=price,
            reason=case.type, routing={"after_sale": case.case_no}, backup_pks=[],
            stock_reserved=False, shipped_quantity=0, claimed_quantity=0))
    return lines


def _swap(ctx: Ctx, case: AfterSaleCase) -> tuple[int, str, str, int] | None:
    if case.type != CaseType.EXCHANGE or not case.exchange_sku_code:
        return None
    source = offered_source(ctx, case.shop_pk, case.supplier_pk, case.exchange_sku_code)
    if source is None:  # the mapping went away since the case was opened: the same SKU again
        return None
    sku = ctx.session.get_one(SupplySku, source.supply_sku_pk)
    return sku.id, case.exchange_sku_code, sku.sku_code, sku.supply_price_fen


# --- reactions: the case closes when its replacement has all left --------------------------

def after_move(ctx: Ctx, event: DispatchOrderMoved) -> None:
    if event.action == "ship_fully" and event.target.order.purpose != DispatchPurpose.ORDER:
        _finish(ctx, [event.target.order.id])


def after_file(ctx: Ctx, event: ShippedByFile) -> None:
    """A file may ship tens of thousands of dispatch orders and hardly ever a replacement: the
    few replacements on their way are read and matched, rather than every shipped number
    sent to the database."""
    shipped = {move.pk for move in event.moves if move.action == "ship_fully"}
    if not shipped:
        return
    waiting = ctx.session.scalars(select(AfterSaleCase.replacement_pk).where(
        AfterSaleCase.status == CaseStatus.APPROVED.value,
        AfterSaleCase.supplier_pk == event.supplier.id)).all()
    _finish(ctx, [pk for pk in waiting if pk in shipped])


def _finish(ctx: Ctx, dispatch_pks: Sequence[int]) -> None:
    if not dispatch_pks:
        return
    cases = ctx.session.scalars(
        select(AfterSaleCase).where(AfterSaleCase.replacement_pk.in_(dispatch_pks),
                                    AfterSaleCase.status == CaseStatus.APPROVED.value)
        .order_by(AfterSaleCase.id)).all()
    for case in cases:
        try:
            move(ctx, access.of_case(ctx, case), "finish")
        except InvalidTransition:  # withdrawn or decided meanwhile
            continue
