"""Outbound webhook endpoints, their delivery log and redelivery: the same routes under
/shops/{shop_id} and /suppliers/{supplier_id}."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, Response

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.v1.common import CursorQuery, LimitQuery, paging
from daifa.context import Ctx
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers
from daifa.webhooks import log
from daifa.webhooks import service as webhooks
from daifa.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointList,
    EndpointOut,
    EndpointPatch,
    SecretRotated,
)
from daifa.webhooks.service import Owner

router = guarded_router(tags=["webhooks"])


@dataclass(frozen=True)
class OrgRef:
    kind: Literal["shop", "supplier"]
    public_id: str

    def owner(self, ctx: Ctx) -> Owner:
        if self.kind == "shop":
            return Owner.of(shops.owned(ctx, self.public_id))
        return Owner.of(suppliers.owned(ctx, self.public_id))


def shop_ref(shop_id: str) -> OrgRef:
    return OrgRef("shop", shop_id)


def supplier_ref(supplier_id: str) -> OrgRef:
    return OrgRef("supplier", supplier_id)


def _mount(prefix: str, ref: Callable[..., OrgRef]) -> None:
    org = Depends(ref)

    @router.post(f"{prefix}/webhooks", status_code=201, response_model=EndpointCreated)
    def register(body: EndpointIn, target: OrgRef = org,
                 call: Call = Depends(writer)) -> EndpointCreated:
        """Register an endpoint. The secret (generated when not given) is shown only here."""
        with call.ctx() as ctx:
            return webhooks.register(ctx, target.owner(ctx), body)

    @router.get(f"{prefix}/webhooks", response_model=EndpointList)
    def list_endpoints(target: OrgRef = org, call: Call = Depends(reader)) -> EndpointList:
        with call.ctx() as ctx:
            return EndpointList(items=webhooks.endpoints(ctx, target.owner(ctx)))

    @router.patch(f"{prefix}/webhooks/{{endpoint_id}}", response_model=EndpointOut)
    def update(endpoint_id: str, body: EndpointPatch, target: OrgRef = org,
               call: Call = Depends(writer)) -> EndpointOut:
        """Change the URL, the event types or the description; enable or disable."""
        with call.ctx() as ctx:
            return webhooks.update(ctx, target.owner(ctx), endpoint_id, body)

    @router.delete(f"{prefix}/webhooks/{{endpoint_id}}", status_code=204)
    def delete(endpoint_id: str, target: OrgRef = org, call: Call = Depends(writer)) -> Response:
        with call.ctx() as ctx:
            webhooks.delete(ctx, target.owner(ctx), endpoint_id)
        return Response(status_code=204)

    @router.post(f"{prefix}/webhooks/{{endpoint_id}}/rotate-secret",
                 response_model=SecretRotated)
    def rotate_secret(endpoint_id: str, target: OrgRef = org,
                      call: Call = Depends(writer)) -> SecretRotated:
        """A new secret, shown once; deliveries are signed with the old one too for 24 h."""
        with call.ctx() as ctx:
            return webhooks.rotate_secret(ctx, target.owner(ctx), endpoint_id)

    @router.post(f"{prefix}/webhooks/{{endpoint_id}}/test", status_code=202,
                 response_model=DeliveryOut)
    def send_test(endpoint_id: str, target: OrgRef = org,
                  call: Call = Depends(writer)) -> DeliveryOut:
        """Queue a `ping` event to this endpoint; follow it in the delivery log."""
        with call.ctx() as ctx:
            owner = target.owner(ctx)
            sent = webhooks.ping(ctx, owner, endpoint_id)
            return log.get(ctx, owner, str(sent.public_id))

    @router.get(f"{prefix}/webhooks/{{endpoint_id}}/deliveries", response_model=DeliveryList)
    def deliveries(endpoint_id: str, cursor: str | None = CursorQuery,
                   limit: int | None = LimitQuery, target: OrgRef = org,
                   call: Call = Depends(reader)) -> DeliveryList:
        """The delivery log, newest first, each delivery with its attempts."""
        before, size = paging(cursor, limit)
        with call.ctx() as ctx:
            page = log.deliveries(ctx, target.owner(ctx), endpoint_id, before, size)
            return DeliveryList(items=page.items, next_cursor=page.next_cursor())

    @router.get(f"{prefix}/webhook-deliveries/{{delivery_id}}", response_model=DeliveryOut)
    def get_delivery(delivery_id: str, target: OrgRef = org,
                     call: Call = Depends(reader)) -> DeliveryOut:
        with call.ctx() as ctx:
            return log.get(ctx, target.owner(ctx), delivery_id)

    @router.post(f"{prefix}/webhook-deliveries/{{delivery_id}}/redeliver",
                 response_model=DeliveryOut)
    def redeliver(delivery_id: str, target: OrgRef = org,
                  call: Call = Depends(writer)) -> DeliveryOut:
        """Send a succeeded or failed delivery again (409 while it is still pending)."""
        with call.ctx() as ctx:
            return log.redeliver(ctx, target.owner(ctx), delivery_id)


_mount("/shops/{shop_id}", shop_ref)
_mount("/suppliers/{supplier_id}", supplier_ref)
