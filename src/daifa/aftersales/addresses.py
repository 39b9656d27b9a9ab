"""Suppliers' return addresses: where approved returns go. One may be the default, used when
the supplier approves without naming one and when silence approves for it."""

from __future__ import annotations

from sqlalchemy import select, update

from daifa.aftersales.errors import ReturnAddressNotFound
from daifa.aftersales.models import ReturnAddress
from daifa.aftersales.schemas import ReturnAddressIn, ReturnAddressOut
from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.orders.schemas import AddressOut
from daifa.suppliers.models import Supplier


def listed(ctx: Ctx, supplier: Supplier) -> list[ReturnAddressOut]:
    rows = ctx.session.scalars(select(ReturnAddress)
                               .where(ReturnAddress.supplier_pk == supplier.id)
                               .order_by(ReturnAddress.is_default.desc(), ReturnAddress.id))
    return [to_out(row) for row in rows]


def add(ctx: Ctx, supplier: Supplier, data: ReturnAddressIn) -> ReturnAddressOut:
    first = ctx.session.scalar(select(ReturnAddress.id)
                               .where(ReturnAddress.supplier_pk == supplier.id).limit(1)) is None
    row = ReturnAddress(supplier_pk=supplier.id, name=data.name, phone=data.phone,
                        province=data.address.province, city=data.address.city,
                        district=data.address.district, detail=data.address.detail,
                        is_default=False, created_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    if data.is_default or first:
        make_default(ctx, supplier, row.id)
    audit.record(ctx, "supplier", supplier.supplier_id, "return_address.added",
                 data={"return_address_id": row.id, "region": row.province + row.city})
    return to_out(row)


def make_default(ctx: Ctx, supplier: Supplier, address_pk: int) -> ReturnAddressOut:
    row = owned(ctx, supplier, address_pk)
    ctx.session.execute(update(ReturnAddress)
                        .where(ReturnAddress.supplier_pk == supplier.id)
                        .values(is_default=ReturnAddress.id == address_pk)
                        .execution_options(synchronize_session=False))
    ctx.session.refresh(row)
    return to_out(row)


def delete(ctx: Ctx, supplier: Supplier, address_pk: int) -> None:
    """Cases keep their copy of the address, so deleting it changes none of them."""
    row = owned(ctx, supplier, address_pk)
    ctx.session.delete(row)
    audit.record(ctx, "supplier", supplier.supplier_id, "return_address.deleted",
                 data={"return_address_id": address_pk})


def owned(ctx: Ctx, supplier: Supplier, address_pk: int) -> ReturnAddress:
    row = ctx.session.get(ReturnAddress, address_pk) if 0 < address_pk < 2**62 else None
    if row is None or row.supplier_pk != supplier.id:
        raise ReturnAddressNotFound()
    return row


def to_out(row: ReturnAddress) -> ReturnAddressOut:
    return ReturnAddressOut(id=row.id, name=row.name, phone=row.phone, is_default=row.is_default,
                            address=AddressOut(province=row.province, city=row.city,
                                               district=row.district, detail=row.detail))
