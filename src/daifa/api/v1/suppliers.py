from __future__ import annotations

from fastapi import Depends, Response

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.context import Scope
from daifa.identity import service as identity
from daifa.identity.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyList, ApiKeyOut
from daifa.suppliers import service as suppliers
from daifa.suppliers.schemas import SupplierIn, SupplierOut, SupplierPublic

router = guarded_router(prefix="/suppliers", tags=["suppliers"])


@router.post("", status_code=201, response_model=SupplierOut)
def onboard(body: SupplierIn, call: Call = Depends(writer)) -> SupplierOut:
    """Onboard the signed-in person as a supplier; review by the platform follows."""
    with call.ctx() as ctx:
        return suppliers.to_private(suppliers.onboard(ctx, body))


@router.get("/{supplier_id}", response_model=SupplierOut | SupplierPublic)
def profile(supplier_id: str, call: Call = Depends(reader)) -> SupplierOut | SupplierPublic:
    """The public profile; the supplier itself and admins also see contact and review data."""
    with call.ctx() as ctx:
        supplier = suppliers.by_public_id(ctx, supplier_id)
        if suppliers.sees_private(ctx, supplier):
            return suppliers.to_private(supplier)
        return suppliers.to_public(supplier)


def key_out(key: object) -> ApiKeyOut:
    return ApiKeyOut.model_validate(key, from_attributes=True)


@router.post("/{supplier_id}/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_key(supplier_id: str, body: ApiKeyIn | None = None,
               call: Call = Depends(writer)) -> ApiKeyCreated:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        key, secret = identity.create_api_key(ctx, Scope.SUPPLIER, supplier.id,
                                              (body or ApiKeyIn()).name)
        return ApiKeyCreated(**key_out(key).model_dump(), key=secret)


@router.get("/{supplier_id}/api-keys", response_model=ApiKeyList)
def list_keys(supplier_id: str, call: Call = Depends(reader)) -> ApiKeyList:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return ApiKeyList(items=[key_out(k) for k in
                                 identity.list_api_keys(ctx, Scope.SUPPLIER, supplier.id)])


@router.delete("/{supplier_id}/api-keys/{key_id}", status_code=204)
def revoke_key(supplier_id: str, key_id: int, call: Call = Depends(writer)) -> Response:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        identity.revoke_api_key(ctx, Scope.SUPPLIER, supplier.id, key_id)
    return Response(status_code=204)
