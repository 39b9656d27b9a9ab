"""After-sales cases (售后): opened by the shop on shipped units, answered by the supplier that
shipped them, returned, replaced, escalated and decided by the platform; and the suppliers'
return addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, File, Request, Response, UploadFile
from pydantic import BaseModel
from sqlalchemy import Select

from daifa.aftersales import actions, addresses, evidence, opening, views
from daifa.aftersales.access import CaseTarget, Party
from daifa.aftersales.schemas import (
    ApproveIn,
    CancelIn,
    CaseIn,
    CaseList,
    CaseOut,
    CasesOpened,
    DecideIn,
    EscalateIn,
    EvidenceOut,
    ReceiveIn,
    RejectIn,
    ReturnAddressIn,
    ReturnAddressList,
    ReturnAddressOut,
    ReturnShipmentIn,
)
from daifa.aftersales.states import CaseStatus, CaseType
from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.idempotency import JSON, KeyHeader, respond
from daifa.api.v1.common import CursorQuery, LimitQuery, paging
from daifa.context import Ctx
from daifa.errors import Forbidden
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers

router = guarded_router(tags=["after-sales"])
EVIDENCE_TYPES: dict[str, dict[str, str]] = {
    "image/jpeg": {}, "image/png": {}, "image/webp": {}, "application/pdf": {}}


def json(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type=JSON)


@router.post("/shops/{shop_id}/orders/{order_id}/after-sales", status_code=201,
             response_model=CasesOpened)
def open_cases(shop_id: str, order_id: str, body: CaseIn, request: Request,
               key: str | None = KeyHeader, call: Call = Depends(writer)) -> Response:
    """One case per dispatch order that shipped the units named. Units not shipped, or already
    in cases, are 409 `QUANTITY_EXCEEDS_ELIGIBLE`; a refund above what the buyer paid for them
    422 `REFUND_EXCEEDS_PAID`; after the after-sales window 409 `AFTER_SALES_WINDOW_CLOSED`."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        targets = opening.open_cases(ctx, shops.owned(ctx, shop_id), order_id, body)
        out = CasesOpened(items=views.assemble(ctx, [t.case for t in targets], "shop"))
        return 201, out.model_dump_json().encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)


def _case_list(ctx: Ctx, query: Select[Any], party: Party, cursor: str | None,
               limit: int | None) -> Response:
    before, size = paging(cursor, limit)
    page = views.listed(ctx, query, party, before, size)
    return json(CaseList(items=page.items, next_cursor=page.next_cursor()))


@router.get("/shops/{shop_id}/after-sales", response_model=CaseList)
def shop_cases(shop_id: str, status: CaseStatus | None = None, type: CaseType | None = None,
               cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
               call: Call = Depends(reader)) -> Response:
    """The shop's cases, newest first."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return _case_list(ctx, views.cases(shop_pk=shop.id, status=status, kind=type), "shop",
                          cursor, limit)


@router.get("/suppliers/{supplier_id}/after-sales", response_model=CaseList)
def supplier_cases(supplier_id: str, status: CaseStatus | None = None,
                   cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
                   call: Call = Depends(reader)) -> Response:
    """Cases on the supplier's dispatch orders, newest first; what the buyer paid never shows."""
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return _case_list(ctx, views.cases(supplier_pk=supplier.id, status=status), "supplier",
                          cursor, limit)


@router.get("/admin/after-sales", response_model=CaseList, tags=["admin"])
def arbitration_queue(status: CaseStatus = CaseStatus.IN_ARBITRATION,
                      cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
                      call: Call = Depends(reader)) -> Response:
    """Platform admins: cases by status, the arbitration queue by default."""
    with call.ctx() as ctx:
        if not ctx.actor.is_admin:
            raise Forbidden()  # platform admins only
        return _case_list(ctx, views.cases(status=status), "admin", cursor, limit)


@router.get("/after-sales/{case_no}", response_model=CaseOut)
def get_case(case_no: str, call: Call = Depends(reader)) -> Response:
    """For its shop, its supplier and platform admins, with its evidence and timeline."""
    with call.ctx() as ctx:
        return json(views.one(ctx, case_no))


def _act(call: Call, case_no: str, action: Callable[..., CaseTarget], *args: object) -> Response:
    with call.ctx() as ctx:
        return json(views.shown(ctx, action(ctx, case_no, *args)))


@router.post("/after-sales/{case_no}/approve", response_model=CaseOut)
def approve(case_no: str, body: ApproveIn | None = None,
            call: Call = Depends(writer)) -> Response:
    """The supplier agrees: a refund closes at once; a return waits for the buyer's parcel at
    the return address (`return_address_id`, else the supplier's default); a reship sends a new
    dispatch order."""
    return _act(call, case_no, actions.approve, (body or ApproveIn()).return_address_id)


@router.post("/after-sales/{case_no}/reject", response_model=CaseOut)
def reject(case_no: str, body: RejectIn, call: Call = Depends(writer)) -> Response:
    return _act(call, case_no, actions.reject, body.reason, body.note)


@router.post("/after-sales/{case_no}/return-shipment", response_model=CaseOut)
def return_shipment(case_no: str, body: ReturnShipmentIn,
                    call: Call = Depends(writer)) -> Response:
    """The shop: the buyer's return parcel (again to correct it)."""
    return _act(call, case_no, actions.send_return, body.carrier, body.tracking_no)


@router.post("/after-sales/{case_no}/receive", response_model=CaseOut)
def receive(case_no: str, body: ReceiveIn, call: Call = Depends(writer)) -> Response:
    """The supplier: the return arrived, with its condition. As expected, a return is refunded
    and an exchange's replacement goes out; otherwise the case is in dispute."""
    return _act(call, case_no, actions.receive, body.condition, body.note)


@router.post("/after-sales/{case_no}/escalate", response_model=CaseOut)
def escalate(case_no: str, body: EscalateIn, call: Call = Depends(writer)) -> Response:
    """Either party: a rejected or disputed case to the platform."""
    return _act(call, case_no, actions.escalate, body.reason)


@router.post("/after-sales/{case_no}/decide", response_model=CaseOut)
def decide(case_no: str, body: DecideIn, call: Call = Depends(writer)) -> Response:
    """A platform admin closes an escalated case: liability, final refund and why. Final."""
    return _act(call, case_no, actions.decide, body.liability, body.refund_fen, body.note)


@router.post("/after-sales/{case_no}/cancel", response_model=CaseOut)
def cancel(case_no: str, body: CancelIn | None = None, call: Call = Depends(writer)) -> Response:
    """The shop withdraws the case; its units may be claimed again."""
    return _act(call, case_no, actions.cancel, (body or CancelIn()).reason)


@router.post("/after-sales/{case_no}/evidence", status_code=201, response_model=EvidenceOut)
def add_evidence(case_no: str, file: UploadFile = File(...),
                 call: Call = Depends(writer)) -> Response:
    """Either party: a JPEG, PNG or WebP photo or a PDF, judged by its content."""
    content = evidence.read_upload(file.file, call.hub.settings)
    with call.ctx() as ctx:
        target, row = evidence.add(ctx, case_no, file.filename or "", content)
        return json(views.evidence_out(target.no, row), 201)


@router.get("/after-sales/{case_no}/evidence/{evidence_id}", response_class=Response,
            responses={200: {"content": EVIDENCE_TYPES}})
def get_evidence(case_no: str, evidence_id: int, call: Call = Depends(reader)) -> Response:
    """The file, for the case's parties and platform admins only."""
    with call.ctx() as ctx:
        row, content = evidence.read(ctx, case_no, evidence_id)
        media_type = row.media_type
    return Response(content, media_type=media_type, headers=evidence.HEADERS)


@router.get("/suppliers/{supplier_id}/return-addresses", response_model=ReturnAddressList)
def list_addresses(supplier_id: str, call: Call = Depends(reader)) -> Response:
    with call.ctx() as ctx:
        items = addresses.listed(ctx, suppliers.owned(ctx, supplier_id))
        return json(ReturnAddressList(items=items))


@router.post("/suppliers/{supplier_id}/return-addresses", status_code=201,
             response_model=ReturnAddressOut)
def add_address(supplier_id: str, body: ReturnAddressIn,
                call: Call = Depends(writer)) -> Response:
    """The first address becomes the default; `is_default` makes a later one the default."""
    with call.ctx() as ctx:
        return json(addresses.add(ctx, suppliers.owned(ctx, supplier_id), body), 201)


@router.post("/suppliers/{supplier_id}/return-addresses/{address_id}/default",
             response_model=ReturnAddressOut)
def default_address(supplier_id: str, address_id: int, call: Call = Depends(writer)) -> Response:
    with call.ctx() as ctx:
        return json(addresses.make_default(ctx, suppliers.owned(ctx, supplier_id), address_id))


@router.delete("/suppliers/{supplier_id}/return-addresses/{address_id}", status_code=204)
def delete_address(supplier_id: str, address_id: int, call: Call = Depends(writer)) -> Response:
    """Cases keep the copy they were approved with."""
    with call.ctx() as ctx:
        addresses.delete(ctx, suppliers.owned(ctx, supplier_id), address_id)
    return Response(status_code=204)
