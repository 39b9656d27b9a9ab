"""Opening cases: the units asked, taken from the dispatch orders that shipped them, one case per
dispatch order, each claiming its units with a conditional UPDATE so that of two cases opened
at once for the last units exactly one wins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from daifa.aftersales import rules
from daifa.aftersales.access import CaseTarget
from daifa.aftersales.errors import ExchangeSkuNotOffered, QuantityExceedsEligible, WindowClosed
from daifa.aftersales.events import CasesOpened
from daifa.aftersales.models import AfterSaleCase, AfterSaleLine
from daifa.aftersales.schemas import CaseIn
from daifa.aftersales.states import CaseStatus, CaseType
from daifa.audit import service as audit
from daifa.catalog.models import ShopSku, ShopSkuSource
from daifa.context import Ctx
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import SENT_STATUSES, DispatchPurpose, DispatchStatus
from daifa.kit.states import values
from daifa.orders import service as orders
from daifa.orders.errors import LineNotFound
from daifa.orders.models import OrderLine
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier


def open_cases(ctx: Ctx, shop: Shop, order_id: str, data: CaseIn) -> list[CaseTarget]:
    order = orders.owned(ctx, shop, order_id)
    prices = dict(ctx.session.execute(
        select(OrderLine.id, OrderLine.unit_price_fen).where(OrderLine.order_pk == order.id)).all())
    asked: dict[int, int] = {}
    for line in data.lines:
        if line.line_id not in prices:
            raise LineNotFound()
        asked[line.line_id] = asked.get(line.line_id, 0) + line.quantity
    shipped, closed = _sources(ctx, order.id, set(asked))
    for line_pk, (no, on) in closed.items():
        if line_pk not in shipped:
            raise WindowClosed(dispatch_order_no=no, closed_on=on)
    groups = rules.split(asked, shipped)
    dispatch = {row.id: row for row in ctx.session.scalars(
        select(DispatchOrder).where(DispatchOrder.id.in_(groups)))}
    paid = {pk: sum(c.quantity * prices[c.line_pk] for c in claims)
            for pk, claims in groups.items()}
    total = rules.refund_asked(data.type, data.refund_fen, sum(paid.values()))
    pks = sorted(groups)
    refunds = dict(zip(pks, rules.share(total, [paid[pk] for pk in pks]), strict=True))
    targets = []
    for pk in pks:
        target = _open(ctx, shop, dispatch[pk], groups[pk], data, paid[pk], refunds[pk])
        targets.append(target)
    ctx.publish(CasesOpened(targets))
    return targets


@dataclass(frozen=True)
class Claimable:
    """An order line as the case form offers it: what may still be claimed, and its price."""

    line_id: int
    sku_code: str
    quantity: int
    eligible: int
    unit_price_fen: int


def claimable(ctx: Ctx, shop: Shop, order_id: str) -> list[Claimable]:
    """Each line of the shop's order with the units that may still go into a case now."""
    order = orders.owned(ctx, shop, order_id)
    lines = ctx.session.scalars(select(OrderLine).where(OrderLine.order_pk == order.id)
                                .order_by(OrderLine.line_no)).all()
    shipped, _closed = _sources(ctx, order.id, {line.id for line in lines})
    return [Claimable(line.id, line.sku_code, line.quantity,
                      sum(source.eligible for source in shipped.get(line.id, ())),
                      line.unit_price_fen) for line in lines]


def _sources(ctx: Ctx, order_pk: int, line_pks: set[int]
             ) -> tuple[dict[int, list[rules.Shipped]], dict[int, tuple[str, str]]]:
    """Shipped units of the lines on dispatch orders whose after-sales window is open, and for
    lines with units on a closed window, that dispatch order and the day it closed."""
    rows = ctx.session.execute(
        select(DispatchLine.id, DispatchLine.line_pk, DispatchLine.shipped_quantity,
               DispatchLine.claimed_quantity, DispatchOrder.id, DispatchOrder.dispatch_order_no,
               DispatchOrder.status, DispatchOrder.delivered_at)
        .join(DispatchOrder, DispatchOrder.id == DispatchLine.dispatch_order_pk)
        .where(DispatchOrder.order_pk == order_pk,
               DispatchOrder.purpose == DispatchPurpose.ORDER.value,
               DispatchOrder.status.in_(values(SENT_STATUSES)),
               DispatchLine.line_pk.in_(line_pks), DispatchLine.shipped_quantity > 0)
        .order_by(DispatchLine.id)).all()
    now = ctx.now()
    shipped: dict[int, list[rules.Shipped]] = {}
    closed: dict[int, tuple[str, str]] = {}
    for line_pk_, line_pk, quantity, claimed, do_pk, no, status, delivered_at in rows:
        closes = rules.window_closes(delivered_at, ctx.settings.after_sales_window_days)
        if status == DispatchStatus.COMPLETED or (closes is not None and closes < now):
            closed[line_pk] = (no, f"{closes or now:%Y-%m-%d}")
            continue
        shipped.setdefault(line_pk, []).append(
            rules.Shipped(line_pk_, do_pk, quantity, claimed))
    return shipped, closed


def _open(ctx: Ctx, shop: Shop, dispatch: DispatchOrder, claims: Sequence[rules.Claim],
          data: CaseIn, paid: int, refund: int) -> CaseTarget:
    supplier = ctx.session.get_one(Supplier, dispatch.supplier_pk)
    if data.type is CaseType.EXCHANGE and data.exchange_sku_code:
        _require_offered(ctx, shop, supplier, data.exchange_sku_code)
    for claim in sorted(claims, key=lambda c: c.dispatch_line_pk):
        _claim(ctx, claim)
    now = ctx.now()
    case = AfterSaleCase(
        type=data.type.value, status=CaseStatus.REQUESTED.value, shop_pk=shop.id,
        supplier_pk=supplier.id, order_pk=dispatch.order_pk, dispatch_order_pk=dispatch.id,
        reason=data.reason.value, note=data.note or None, refund_fen=refund, paid_fen=paid,
        exchange_sku_code=data.exchange_sku_code if data.type is CaseType.EXCHANGE else None,
        reply_by=now + timedelta(hours=ctx.settings.after_sales_reply_hours), created_at=now)
    ctx.session.add(case)
    ctx.session.flush()
    case.case_no = rules.case_no(now, case.id)
    skus = dict(ctx.session.execute(
        select(DispatchLine.id, DispatchLine.sku_code)
        .where(DispatchLine.id.in_([c.dispatch_line_pk for c in claims]))).all())
    ctx.session.add_all(AfterSaleLine(case_pk=case.id, dispatch_line_pk=c.dispatch_line_pk,
                                      line_pk=c.line_pk, sku_code=skus[c.dispatch_line_pk],
                                      quantity=c.quantity) for c in claims)
    audit.record(ctx, "after_sale", case.case_no, "after_sale.opened",
                 to_status=CaseStatus.REQUESTED.value, reason=case.reason,
                 data={"type": case.type, "order_id": str(case.order_pk),
                       "dispatch_order_no": dispatch.dispatch_order_no,
                       "lines": [{"line_id": c.line_pk, "quantity": c.quantity}
                                 for c in claims],
                       "refund_fen": refund})
    return CaseTarget(case, shop, supplier, as_shop=True, as_supplier=False, as_admin=False)


def _claim(ctx: Ctx, claim: rules.Claim) -> None:
    quantity = claim.quantity
    done = ctx.session.execute(
        update(DispatchLine)
        .where(DispatchLine.id == claim.dispatch_line_pk,
               DispatchLine.claimed_quantity + quantity <= DispatchLine.shipped_quantity)
        .values(claimed_quantity=DispatchLine.claimed_quantity + quantity)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        line = ctx.session.get_one(DispatchLine, claim.dispatch_line_pk)
        ctx.session.refresh(line)
        raise QuantityExceedsEligible(line_id=claim.line_pk, quantity=quantity,
                                      eligible=max(line.shipped_quantity
                                                   - line.claimed_quantity, 0))


def release(ctx: Ctx, case: AfterSaleCase) -> None:
    """A withdrawn case's units may be claimed again."""
    for line in ctx.session.scalars(select(AfterSaleLine).where(AfterSaleLine.case_pk == case.id)
                                    .order_by(AfterSaleLine.dispatch_line_pk)):
        ctx.session.execute(
            update(DispatchLine).where(DispatchLine.id == line.dispatch_line_pk)
            .values(claimed_quantity=DispatchLine.claimed_quantity - line.quantity)
            .execution_options(synchronize_session=False))


def offered_source(ctx: Ctx, shop_pk: int, supplier_pk: int,
                   sku_code: str) -> ShopSkuSource | None:
    return ctx.session.scalar(
        select(ShopSkuSource).join(ShopSku, ShopSku.id == ShopSkuSource.shop_sku_pk)
        .where(ShopSku.shop_pk == shop_pk, ShopSku.sku_code == sku_code,
               ShopSkuSource.supplier_pk == supplier_pk))


def _require_offered(ctx: Ctx, shop: Shop, supplier: Supplier, sku_code: str) -> None:
    if offered_source(ctx, shop.id, supplier.id, sku_code) is None:
        raise ExchangeSkuNotOffered(supplier_id=supplier.supplier_id, sku_code=sku_code)
