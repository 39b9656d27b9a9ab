from __future__ import annotations

from fastapi import Depends, Response

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.v1.suppliers import key_out
from daifa.context import Scope
from daifa.identity import service as identity
from daifa.identity.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyList
from daifa.shops import service as shops
from daifa.shops.schemas import ShopIn, ShopOut

router = guarded_router(prefix="/shops", tags=["shops"])


@router.post("", status_code=201, response_model=ShopOut)
def create(body: ShopIn, call: Call = Depends(writer)) -> ShopOut:
    with call.ctx() as ctx:
        return ShopOut.model_validate(shops.create(ctx, body))


@router.get("/{shop_id}", response_model=ShopOut)
def get(shop_id: str, call: Call = Depends(reader)) -> ShopOut:
    with call.ctx() as ctx:
        return ShopOut.model_validate(shops.owned(ctx, shop_id))


@router.post("/{shop_id}/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_key(shop_id: str, body: ApiKeyIn | None = None,
               call: Call = Depends(writer)) -> ApiKeyCreated:
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        key, secret = identity.create_api_key(ctx, Scope.SHOP, shop.id, (body or ApiKeyIn()).name)
        return ApiKeyCreated(**key_out(key).model_dump(), key=secret)


@router.get("/{shop_id}/api-keys", response_model=ApiKeyList)
def list_keys(shop_id: str, call: Call = Depends(reader)) -> ApiKeyList:
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return ApiKeyList(items=[key_out(k) for k in
                                 identity.list_api_keys(ctx, Scope.SHOP, shop.id)])


@router.delete("/{shop_id}/api-keys/{key_id}", status_code=204)
def revoke_key(shop_id: str, key_id: int, call: Call = Depends(writer)) -> Response:
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        identity.revoke_api_key(ctx, Scope.SHOP, shop.id, key_id)
    return Response(status_code=204)
