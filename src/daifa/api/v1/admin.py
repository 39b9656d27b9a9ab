from __future__ import annotations

from typing import Literal

from fastapi import Depends

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.v1.common import CursorQuery, LimitQuery, paging
from daifa.kit.pagination import encode_cursor
from daifa.suppliers import service as suppliers
from daifa.suppliers.schemas import ReviewIn, SupplierList, SupplierOut
from daifa.suppliers.states import SupplierStatus

router = guarded_router(prefix="/admin", tags=["admin"])


@router.get("/suppliers", response_model=SupplierList)
def list_suppliers(status: SupplierStatus | None = None, cursor: str | None = CursorQuery,
                   limit: int | None = LimitQuery,
                   call: Call = Depends(reader)) -> SupplierList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        rows = suppliers.admin_list(ctx, status, after, size)
        next_cursor = encode_cursor(rows[-1].id) if len(rows) == size else None
        return SupplierList(items=[suppliers.to_private(s) for s in rows],
                            next_cursor=next_cursor)


@router.post("/suppliers/{supplier_id}/{action}", response_model=SupplierOut)
def review(supplier_id: str, action: Literal["approve", "reject", "suspend", "reinstate"],
           body: ReviewIn | None = None, call: Call = Depends(writer)) -> SupplierOut:
    """Platform review: pending → active | rejected; active ⇄ suspended."""
    with call.ctx() as ctx:
        reason = body.reason if body else None
        return suppliers.to_private(suppliers.review(ctx, supplier_id, action, reason))
