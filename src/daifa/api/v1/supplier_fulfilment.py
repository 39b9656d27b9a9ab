"""A supplier's fulfilment tools: spreadsheet shipping (template, upload with preview), bulk
labels, bulk accept, the work queue and the auto-accept setting."""

from __future__ import annotations

from typing import Literal

import orjson
from fastapi import Depends, File, Response, UploadFile

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.idempotency import JSON
from daifa.api.uploads import QUEUED, Background, land, queue
from daifa.context import Ctx
from daifa.dispatch import recipient, workqueue
from daifa.dispatch.schemas import BulkAcceptIn, BulkAcceptItem, BulkAcceptOut
from daifa.shipping import upload
from daifa.shipping.schemas import (
    LabelsIn,
    SupplierSettingsIn,
    SupplierSettingsOut,
    UploadOut,
    UploadSummary,
    WorkQueue,
)
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier

router = guarded_router(prefix="/suppliers/{supplier_id}", tags=["fulfilment"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


@router.get("/shipments/template.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
def template_xlsx(supplier_id: str, lang: Literal["zh", "en"] = "zh",
                  call: Call = Depends(reader)) -> Response:
    """The shipping spreadsheet to fill in: ID columns as text, a carrier drop-down, help."""
    with call.ctx() as ctx:
        suppliers.owned(ctx, supplier_id)
    return Response(upload.SHIPMENTS.template_xlsx(lang), media_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="shipments-template.xlsx"'})


@router.get("/shipments/template.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def template_csv(supplier_id: str, lang: Literal["zh", "en"] = "zh",
                 call: Call = Depends(reader)) -> Response:
    """The header row as CSV in UTF-8 with a BOM (Chinese Excel opens it correctly)."""
    with call.ctx() as ctx:
        suppliers.owned(ctx, supplier_id)
    return Response(upload.SHIPMENTS.template_csv(lang), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="shipments-template.csv"'})


@router.post("/shipments:upload", response_model=UploadOut, responses=QUEUED)
def upload_shipments(supplier_id: str, file: UploadFile = File(...), dry_run: bool = False,
                     background: bool = Background, call: Call = Depends(writer)) -> Response:
    """CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030), XLSX or XLS with `dispatch_order_no, carrier,
    tracking_no[, sku_code, quantity]` (or 代发单号, 快递公司, 快递单号, SKU编码, 数量). Good rows
    ship, bad rows come back with (column, reason); `dry_run=true` previews. Uploading the same
    file again ships nothing twice: those rows say `already_shipped`."""
    def owner(ctx: Ctx) -> Supplier:
        return suppliers.owned(ctx, supplier_id)

    if background:
        return queue(call, upload.SHIPMENTS, owner, file, dry_run=dry_run,
                     path=f"/api/v1/suppliers/{supplier_id}/imports")
    outcome = land(call, upload.SHIPMENTS, owner, file, dry_run=dry_run)
    summary = UploadSummary(rows=len(outcome.rows), shipped=outcome.count("shipped"),
                            ready=outcome.count("ready"),
                            already_shipped=outcome.count("already_shipped"),
                            error=outcome.count("error"), dispatch_orders=outcome.dispatch_orders)
    # Rows straight to JSON (a file may have 200,000): the shape of UploadOut, without models.
    body = {"dry_run": outcome.dry_run, "summary": summary.model_dump(),
            "rows": [upload.as_dict(row) for row in outcome.rows]}
    return Response(orjson.dumps(body), media_type=JSON)


@router.post("/labels.pdf", response_class=Response,
             responses={200: {"content": {PDF: {}}, "description": "one page per order"}})
def bulk_labels(supplier_id: str, body: LabelsIn, call: Call = Depends(writer)) -> Response:
    """Labels for many accepted dispatch orders in one PDF, in the order given; each is a
    recorded recipient reveal. Numbers that are not this supplier's are 404, all named alike."""
    with call.ctx() as ctx:
        content = recipient.labels(ctx, suppliers.owned(ctx, supplier_id),
                                   body.dispatch_order_nos)
    return Response(content, media_type=PDF, headers={
        "Cache-Control": "no-store",
        "Content-Disposition": 'inline; filename="labels.pdf"'})


@router.post("/dispatch-orders:accept", response_model=BulkAcceptOut)
def bulk_accept(supplier_id: str, body: BulkAcceptIn,
                call: Call = Depends(writer)) -> BulkAcceptOut:
    """Accept many at once; each answers for itself (one refused does not stop the others)."""
    with call.ctx() as ctx:
        suppliers.owned(ctx, supplier_id)
        results = workqueue.accept_many(ctx, body.dispatch_order_nos)
    return BulkAcceptOut(items=[
        BulkAcceptItem(dispatch_order_no=r.dispatch_order_no, status=r.status,
                       error={"code": r.error_code, "detail": r.error_detail or ""}
                       if r.error_code else None) for r in results])


@router.get("/work-queue", response_model=WorkQueue)
def work_queue(supplier_id: str, call: Call = Depends(reader)) -> WorkQueue:
    """Dispatch orders waiting for the supplier: to accept, to ship, late, on hold, and cancel
    requests to answer."""
    with call.ctx() as ctx:
        counts = workqueue.counts(ctx, suppliers.owned(ctx, supplier_id))
    return WorkQueue(**counts.__dict__)


@router.get("/settings", response_model=SupplierSettingsOut)
def get_settings(supplier_id: str, call: Call = Depends(reader)) -> SupplierSettingsOut:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return SupplierSettingsOut(supplier_id=supplier.supplier_id,
                                   auto_accept=supplier.auto_accept)


@router.put("/settings", response_model=SupplierSettingsOut)
def put_settings(supplier_id: str, body: SupplierSettingsIn,
                 call: Call = Depends(writer)) -> SupplierSettingsOut:
    """`auto_accept`: accept every new dispatch order at once (as the system, on the
    timeline); those already waiting stay as they are."""
    with call.ctx() as ctx:
        supplier = workqueue.set_auto_accept(ctx, suppliers.owned(ctx, supplier_id),
                                             body.auto_accept)
        return SupplierSettingsOut(supplier_id=supplier.supplier_id,
                                   auto_accept=supplier.auto_accept)
