"""Demo after-sales: the first supplier keeps a return address, ships the first demo order, and
the shop has asked to return one of its T-shirts, so both after-sales queues show a case."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from daifa.aftersales import addresses, opening
from daifa.aftersales.models import AfterSaleCase
from daifa.aftersales.schemas import CaseIn, CaseLineIn, ReturnAddressIn
from daifa.aftersales.states import CaseReason, CaseType
from daifa.context import Ctx
from daifa.dispatch import lifecycle
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import DispatchStatus
from daifa.orders.models import ShopOrder
from daifa.orders.schemas import AddressIn
from daifa.shipping import service as shipping
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

FIRST_ORDER = "3721456789012340001"
RETURN_ADDRESS = ReturnAddressIn(name="杭州好物退货组", phone="13812345678", address=AddressIn(
    province="浙江省", city="杭州市", district="余杭区", detail="仓前街道 88 号 3 号仓"))


def seed(as_merchant: Ctx, as_supplier: Ctx, shop: Shop, supplier: Supplier) -> Iterator[str]:
    session = as_merchant.session
    if session.scalar(select(AfterSaleCase.id).where(AfterSaleCase.shop_pk == shop.id)):
        return
    if not addresses.listed(as_supplier, supplier):
        addresses.add(as_supplier, supplier, RETURN_ADDRESS)
    order = session.scalar(select(ShopOrder).where(ShopOrder.shop_pk == shop.id,
                                                   ShopOrder.external_id == FIRST_ORDER))
    if order is None:
        return
    dispatch = session.scalar(select(DispatchOrder).where(
        DispatchOrder.order_pk == order.id, DispatchOrder.supplier_pk == supplier.id))
    if dispatch is None:
        return
    if dispatch.status == DispatchStatus.ASSIGNED:
        lifecycle.accept(as_supplier, dispatch.dispatch_order_no)
    if dispatch.status == DispatchStatus.ACCEPTED:
        shipping.ship(as_supplier, dispatch.dispatch_order_no, "SF", "SF1400000000001")
    line = session.scalar(select(DispatchLine).where(DispatchLine.dispatch_order_pk ==
                                                     dispatch.id))
    if line is None:
        return
    [case] = opening.open_cases(as_merchant, shop, str(order.id), CaseIn(
        type=CaseType.RETURN_AND_REFUND, reason=CaseReason.QUALITY, note="买家说洗一次就起球了",
        lines=[CaseLineIn(line_id=line.line_pk, quantity=1)]))
    yield (f"after-sales: {dispatch.dispatch_order_no} shipped, case {case.no} "
           "(return and refund) waits for the supplier")
