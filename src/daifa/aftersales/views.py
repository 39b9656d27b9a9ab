"""Cases as their readers see them: the shop, the supplier (who never sees what the buyer paid)
and platform admins, with the moves the reader may make now and, for one case, its timeline with
each entry's actor as a role."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true

from daifa.aftersales import access
from daifa.aftersales.access import CaseTarget, Party
from daifa.aftersales.models import AfterSaleCase, AfterSaleEvidence, AfterSaleLine
from daifa.aftersales.schemas import (
    CaseLineOut,
    CaseOut,
    CaseTimelineEntry,
    EvidenceOut,
    ReturnAddressOut,
    ReturnShipmentOut,
)
from daifa.aftersales.states import (
    APPROVE_ACTION,
    CASE_TRANSITIONS,
    IN_DISPUTE_STATUSES,
    MOVED_BY,
    CaseStatus,
    CaseType,
)
from daifa.audit.models import AuditEvent
from daifa.context import Ctx
from daifa.dispatch.models import DispatchOrder
from daifa.kit.pagination import Page
from daifa.kit.states import values
from daifa.orders.models import ShopOrder
from daifa.orders.schemas import AddressOut
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier
from daifa.tracking import service as tracking

# The reader's side → the roles its buttons are for.
_MAY = {"shop": {"shop", "either"}, "supplier": {"supplier", "either"}, "admin": {"admin"},
        "system": set()}
# Moves by the API path that makes them: the approve moves are one "approve".
_PATH_OF = {**dict.fromkeys(APPROVE_ACTION.values(), "approve"),
            "send_return": "return-shipment"}
ROLE_OF_PARTY = {"shop": "merchant", "supplier": "supplier", "admin": "platform",
                 "either": "merchant", "system": "system"}


def allowed(case: AfterSaleCase, party: Party) -> list[str]:
    """The moves the reader may make now, named as their API paths."""
    kind = CaseType(case.type)
    actions = []
    for action in CASE_TRANSITIONS.moves(case.status):
        if MOVED_BY[action] not in _MAY[party]:
            continue
        if action in APPROVE_ACTION.values() and action != APPROVE_ACTION[kind]:
            continue
        actions.append(_PATH_OF.get(action, action))
    return sorted(actions)


def one(ctx: Ctx, no: str, *, with_timeline: bool = True) -> CaseOut:
    return shown(ctx, access.find(ctx, no), with_timeline=with_timeline)


def shown(ctx: Ctx, target: CaseTarget, *, with_timeline: bool = True) -> CaseOut:
    """The case as its reader sees it, for a target already found (and perhaps just moved)."""
    out = assemble(ctx, [target.case], target.party)[0]
    if with_timeline:
        out.timeline = timeline(ctx, target)
    out.evidence = evidence(ctx, target)
    return out


def cases(*, shop_pk: int | None = None, supplier_pk: int | None = None,
          status: CaseStatus | None = None, kind: CaseType | None = None) -> Select[Any]:
    """The cases of a shop or a supplier (or all, for admins), by status and type."""
    query = select(AfterSaleCase)
    for column, value in ((AfterSaleCase.shop_pk, shop_pk),
                          (AfterSaleCase.supplier_pk, supplier_pk),
                          (AfterSaleCase.status, status and status.value),
                          (AfterSaleCase.type, kind and kind.value)):
        if value is not None:
            query = query.where(column == value)
    return query


def listed(ctx: Ctx, query: Select[Any], party: Party, before: int | None,
           limit: int) -> Page[CaseOut]:
    if before is not None:
        query = query.where(AfterSaleCase.id < before)
    cases = ctx.session.scalars(query.order_by(AfterSaleCase.id.desc()).limit(limit)).all()
    outs = assemble(ctx, cases, party)
    return Page.of([(case.id, out) for case, out in zip(cases, outs, strict=True)], limit)


def assemble(ctx: Ctx, cases: Sequence[AfterSaleCase], party: Party) -> list[CaseOut]:
    if not cases:
        return []
    pks = [case.id for case in cases]
    lines: dict[int, list[CaseLineOut]] = {}
    for row in ctx.session.scalars(select(AfterSaleLine).where(AfterSaleLine.case_pk.in_(pks))
                                   .order_by(AfterSaleLine.id)):
        lines.setdefault(row.case_pk, []).append(
            CaseLineOut(line_id=row.line_pk, sku_code=row.sku_code, quantity=row.quantity))
    dispatch_pks = {c.dispatch_order_pk for c in cases} | {
        c.replacement_pk for c in cases if c.replacement_pk}
    numbers = dict(ctx.session.execute(select(DispatchOrder.id, DispatchOrder.dispatch_order_no)
                                       .where(DispatchOrder.id.in_(dispatch_pks))).all())
    shops = dict(ctx.session.execute(select(Shop.id, Shop.shop_id).where(
        Shop.id.in_({c.shop_pk for c in cases}))).all())
    suppliers = dict(ctx.session.execute(select(Supplier.id, Supplier.supplier_id).where(
        Supplier.id.in_({c.supplier_pk for c in cases}))).all())
    externals = dict(ctx.session.execute(select(ShopOrder.id, ShopOrder.external_id).where(
        ShopOrder.id.in_({c.order_pk for c in cases}))).all())
    parcels = {(c.return_carrier_code, c.return_tracking_no) for c in cases
               if c.return_carrier_code and c.return_tracking_no}
    scans = tracking.events_of(ctx, parcels)
    return [
        CaseOut(
            case_no=case.case_no or "", type=CaseType(case.type), status=CaseStatus(case.status),
            shop_id=shops[case.shop_pk], supplier_id=suppliers[case.supplier_pk],
            order_id=str(case.order_pk), external_id=externals[case.order_pk],
            dispatch_order_no=numbers[case.dispatch_order_pk], lines=lines.get(case.id, []),
            reason=case.reason, note=case.note, refund_fen=case.refund_fen,
            exchange_sku_code=case.exchange_sku_code, reply_by=case.reply_by,
            auto_approved=case.auto_approved, return_address=_address(case.return_address),
            return_by=case.return_by, return_shipment=_parcel(case, scans),
            condition=case.condition, reject_reason=case.reject_reason,
            escalated_by=case.escalated_by,
            reship_dispatch_order_no=numbers.get(case.replacement_pk or 0),
            liability=case.liability, final_refund_fen=case.final_refund_fen,
            decision_note=case.decision_note, created_at=case.created_at,
            closed_at=case.closed_at, allowed_actions=allowed(case, party))
        for case in cases
    ]


def _address(saved: dict[str, Any] | None) -> ReturnAddressOut | None:
    if not saved:
        return None
    return ReturnAddressOut(
        id=saved["id"], name=saved["name"], phone=saved["phone"], is_default=False,
        address=AddressOut(province=saved["province"], city=saved["city"],
                           district=saved["district"], detail=saved["detail"]))


def _parcel(case: AfterSaleCase, scans: dict[Any, list[Any]]) -> ReturnShipmentOut | None:
    if not (case.return_carrier_code and case.return_tracking_no and case.return_sent_at):
        return None
    seen = scans.get((case.return_carrier_code, case.return_tracking_no)) or []
    return ReturnShipmentOut(carrier=case.return_carrier_code, tracking_no=case.return_tracking_no,
                             sent_at=case.return_sent_at,
                             tracking_status=seen[-1].status.value if seen else None)


def evidence(ctx: Ctx, target: CaseTarget) -> list[EvidenceOut]:
    rows = ctx.session.scalars(select(AfterSaleEvidence)
                               .where(AfterSaleEvidence.case_pk == target.case.id)
                               .order_by(AfterSaleEvidence.id))
    return [evidence_out(target.no, row) for row in rows]


def evidence_out(no: str, row: AfterSaleEvidence) -> EvidenceOut:
    return EvidenceOut(id=row.id, party=row.party, filename=row.filename,
                       media_type=row.media_type, size=row.size, uploaded_at=row.uploaded_at,
                       url=f"/api/v1/after-sales/{no}/evidence/{row.id}")


def timeline(ctx: Ctx, target: CaseTarget) -> list[CaseTimelineEntry]:
    """The case's events, oldest first; each actor as a role, never a login."""
    rows = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "after_sale",
                                 AuditEvent.subject_id == target.no)
        .order_by(AuditEvent.at, AuditEvent.id))
    return [CaseTimelineEntry(at=row.at, actor_role=actor_role(row.type, row.data),
                              type=row.type, from_status=row.from_status,
                              to_status=row.to_status, reason=row.reason,
                              data=_shown_data(row.data))
            for row in rows]


def actor_role(kind: str, data: dict[str, Any]) -> str:
    """Who made an after-sales event, as a role: from the move's table (who may make it), the
    party recorded with it, or automatic when the system acted for someone."""
    if data.get("auto"):
        return "system"
    if "party" in data:
        return ROLE_OF_PARTY.get(str(data["party"]), "system")
    if kind == "after_sale.opened":
        return "merchant"
    action = kind.removeprefix("after_sale.")
    if action == "escalate":
        return ROLE_OF_PARTY.get(str(data.get("by")), "merchant")
    return ROLE_OF_PARTY.get(MOVED_BY.get(action, "system"), "system")


def _shown_data(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "auto"}


def counts(ctx: Ctx, *, shop_pk: int | None = None,
           supplier_pk: int | None = None) -> dict[str, int]:
    """Cases per status of one shop or one supplier."""
    column = AfterSaleCase.shop_pk if shop_pk is not None else AfterSaleCase.supplier_pk
    rows = ctx.session.execute(
        select(AfterSaleCase.status, func.count()).where(column == (shop_pk or supplier_pk))
        .group_by(AfterSaleCase.status)).all()
    found = {str(status): int(n) for status, n in rows}
    return {status.value: found.get(status.value, 0) for status in CaseStatus}


class SupplierTab(StrEnum):
    """The supplier's after-sales queue, by what it has to do."""

    TO_ANSWER = "to_answer"
    AWAITING_RETURN = "awaiting_return"
    TO_INSPECT = "to_inspect"
    IN_DISPUTE = "in_dispute"
    ALL = "all"


def supplier_tab(tab: SupplierTab) -> ColumnElement[bool]:
    c = AfterSaleCase
    waiting = c.status == CaseStatus.AWAITING_RETURN.value
    return {
        SupplierTab.TO_ANSWER: c.status == CaseStatus.REQUESTED.value,
        SupplierTab.AWAITING_RETURN: waiting & c.return_sent_at.is_(None),
        SupplierTab.TO_INSPECT: waiting & c.return_sent_at.is_not(None),
        SupplierTab.IN_DISPUTE: c.status.in_(values(IN_DISPUTE_STATUSES | {
            CaseStatus.IN_ARBITRATION})),
        SupplierTab.ALL: true(),
    }[tab]


def supplier_counts(ctx: Ctx, supplier_pk: int) -> dict[str, int]:
    """Cases per tab of the supplier's queue, in one query."""
    tabs = [tab for tab in SupplierTab if tab is not SupplierTab.ALL]
    row = ctx.session.execute(
        select(*(func.count().filter(supplier_tab(tab)) for tab in tabs))
        .select_from(AfterSaleCase).where(AfterSaleCase.supplier_pk == supplier_pk)).one()
    return {tab.value: int(n or 0) for tab, n in zip(tabs, row, strict=True)}
