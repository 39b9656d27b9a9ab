"""Background imports: a spreadsheet upload sent with `background=true`, followed here."""

from __future__ import annotations

from fastapi import Depends

from daifa.api.deps import Call, reader
from daifa.api.guard import guarded_router
from daifa.imports import service as imports
from daifa.imports.schemas import ImportOut
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers

router = guarded_router(tags=["imports"])


@router.get("/shops/{shop_id}/imports/{import_id}", response_model=ImportOut)
def shop_import(shop_id: str, import_id: str, call: Call = Depends(reader)) -> ImportOut:
    """An orders:import sent with `background=true`: its status (queued, running, done,
    failed), `rows_done` of `rows_total`, and when done the import's own result."""
    with call.ctx() as ctx:
        return imports.view(imports.find(ctx, shops.owned(ctx, shop_id), import_id))


@router.get("/suppliers/{supplier_id}/imports/{import_id}", response_model=ImportOut)
def supplier_import(supplier_id: str, import_id: str,
                    call: Call = Depends(reader)) -> ImportOut:
    """A products:import or shipments:upload sent with `background=true`, as above."""
    with call.ctx() as ctx:
        return imports.view(imports.find(ctx, suppliers.owned(ctx, supplier_id), import_id))
