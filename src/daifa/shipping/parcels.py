"""The parcels of dispatch orders as the API shows them: one query for any number of orders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from daifa.dispatch.models import DispatchLine
from daifa.dispatch.schemas import Shipment as ShipmentOut
from daifa.dispatch.schemas import ShipmentLineOut
from daifa.shipping.carriers import BY_CODE
from daifa.shipping.models import Shipment, ShipmentLine

_S = cast(Table, Shipment.__table__)
_SL = cast(Table, ShipmentLine.__table__)
_DL = cast(Table, DispatchLine.__table__)
_PARCELS = (
    select(_S.c.id, _S.c.dispatch_order_pk, _S.c.carrier_code, _S.c.tracking_no,
           _S.c.tracking_status, _S.c.shipped_at, _S.c.delivered_at, _DL.c.line_pk,
           _DL.c.sku_code, _DL.c.supplier_sku_code, _SL.c.quantity)
    .outerjoin(_SL, _SL.c.shipment_pk == _S.c.id)
    .outerjoin(_DL, _DL.c.id == _SL.c.dispatch_line_pk)
    .where(_S.c.dispatch_order_pk.in_(bindparam("pks", expanding=True)))
    .order_by(_S.c.id, _SL.c.id)
)


def of(session: Session, dispatch_pks: Sequence[int]) -> dict[int, list[ShipmentOut]]:
    """dispatch order row id → its parcels, oldest first (every id given has a list)."""
    found: dict[int, list[ShipmentOut]] = {pk: [] for pk in dispatch_pks}
    if not dispatch_pks:
        return found
    current: dict[int, ShipmentOut] = {}
    for row in session.execute(_PARCELS, {"pks": list(dispatch_pks)}):
        parcel = current.get(row.id)
        if parcel is None:
            carrier = BY_CODE.get(row.carrier_code)
            parcel = current[row.id] = ShipmentOut(
                shipment_id=row.id, carrier=row.carrier_code,
                carrier_name=carrier.name if carrier else row.carrier_code,
                tracking_no=row.tracking_no, tracking_status=row.tracking_status,
                shipped_at=row.shipped_at, delivered_at=row.delivered_at)
            found[row.dispatch_order_pk].append(parcel)
        if row.line_pk is not None:
            parcel.lines.append(ShipmentLineOut(line_id=row.line_pk, sku_code=row.sku_code,
                                                supplier_sku_code=row.supplier_sku_code,
                                                quantity=row.quantity))
    return found
