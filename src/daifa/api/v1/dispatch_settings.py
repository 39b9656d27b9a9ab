"""A shop's dispatch mode, default supplier and product/SKU rules (first choice, backups)."""

from __future__ import annotations

from fastapi import Depends, Query, Response

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.v1.common import paging
from daifa.routing import settings as dispatch
from daifa.routing.schemas import (
    DispatchRuleIn,
    DispatchRuleList,
    DispatchRuleOut,
    DispatchSettingsIn,
    DispatchSettingsOut,
)
from daifa.routing.states import RuleKind
from daifa.shops import service as shops

router = guarded_router(prefix="/shops/{shop_id}", tags=["dispatch settings"])
Limit = Query(default=None, ge=1, le=200)


@router.get("/dispatch-settings", response_model=DispatchSettingsOut)
def get_settings(shop_id: str, call: Call = Depends(reader)) -> DispatchSettingsOut:
    """`manual` until the shop chooses otherwise."""
    with call.ctx() as ctx:
        return dispatch.settings_out(ctx, shops.owned(ctx, shop_id))


@router.put("/dispatch-settings", response_model=DispatchSettingsOut)
def put_settings(shop_id: str, body: DispatchSettingsIn,
                 call: Call = Depends(writer)) -> DispatchSettingsOut:
    """Set the mode (affects new orders only). `whole_store`, and `fallback_to_default`, need
    a default supplier that is active and bound (422 DEFAULT_SUPPLIER_REQUIRED /
    SUPPLIER_NOT_BOUND). Fields left out keep their value."""
    with call.ctx() as ctx:
        return dispatch.put_settings(ctx, shops.owned(ctx, shop_id), body)


@router.get("/dispatch-rules", response_model=DispatchRuleList)
def list_rules(shop_id: str, kind: RuleKind | None = None,
               q: str | None = Query(default=None, max_length=64), cursor: str | None = None,
               limit: int | None = Limit, call: Call = Depends(reader)) -> DispatchRuleList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = dispatch.list_rules(ctx, shops.owned(ctx, shop_id), kind=kind, q=q,
                                   after=after, limit=size)
        return DispatchRuleList(items=page.items, next_cursor=page.next_cursor())


@router.put("/dispatch-rules/products/{spu_code}", response_model=DispatchRuleOut)
def put_product_rule(shop_id: str, spu_code: str, body: DispatchRuleIn,
                     call: Call = Depends(writer)) -> DispatchRuleOut:
    """Suppliers for every SKU of the product without its own rule: first choice, backups."""
    with call.ctx() as ctx:
        return dispatch.put_rule(ctx, shops.owned(ctx, shop_id), RuleKind.PRODUCT, spu_code,
                                 body)


@router.put("/dispatch-rules/skus/{sku_code}", response_model=DispatchRuleOut)
def put_sku_rule(shop_id: str, sku_code: str, body: DispatchRuleIn,
                 call: Call = Depends(writer)) -> DispatchRuleOut:
    """Suppliers for one SKU; a SKU rule beats its product's rule."""
    with call.ctx() as ctx:
        return dispatch.put_rule(ctx, shops.owned(ctx, shop_id), RuleKind.SKU, sku_code, body)


@router.delete("/dispatch-rules/products/{spu_code}", status_code=204)
def delete_product_rule(shop_id: str, spu_code: str, call: Call = Depends(writer)) -> Response:
    with call.ctx() as ctx:
        dispatch.delete_rule(ctx, shops.owned(ctx, shop_id), RuleKind.PRODUCT, spu_code)
    return Response(status_code=204)


@router.delete("/dispatch-rules/skus/{sku_code}", status_code=204)
def delete_sku_rule(shop_id: str, sku_code: str, call: Call = Depends(writer)) -> Response:
    with call.ctx() as ctx:
        dispatch.delete_rule(ctx, shops.owned(ctx, shop_id), RuleKind.SKU, sku_code)
    return Response(status_code=204)
