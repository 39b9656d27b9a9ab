"""Webhook endpoints of a shop or a supplier: register (the secret shown once), enable or
disable, change, rotate the secret, send a test, delete; the delivery log with redelivery.

The same pages live under /shops/{shop_id}/webhooks and /suppliers/{supplier_id}/webhooks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form

from daifa.context import Ctx
from daifa.errors import NotFound
from daifa.kit.pagination import BadCursor, clamp_limit, decode_cursor
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers
from daifa.web.page import Page, form_page, page
from daifa.webhooks import log
from daifa.webhooks import service as webhooks
from daifa.webhooks.schemas import EndpointIn, EndpointPatch
from daifa.webhooks.service import Owner
from daifa.webhooks.states import DELIVERY_TRANSITIONS

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Kind = Literal["shop", "supplier"]
LOG_PAGE = 20


def _event_types(typed: str) -> list[str]:
    return [part for part in re.split(r"[\s,，]+", typed) if part] or ["*"]


def _owner(ctx: Ctx, kind: Kind, org_id: str) -> tuple[Owner, str]:
    """The owner and the name shown for it; another tenant's is a 404 page."""
    if kind == "shop":
        shop = shops.owned(ctx, org_id)
        return Owner.of(shop), shop.name
    supplier = suppliers.owned(ctx, org_id)
    return Owner.of(supplier), supplier.name


def _mount(kind: Kind, ref: Callable[..., str]) -> None:  # noqa: C901 - one route each
    org = Depends(ref)
    prefix = f"/{kind}s/{{{kind}_id}}"

    def base(org_id: str) -> str:
        return f"/{kind}s/{org_id}/webhooks"

    @router.get(prefix + "/webhooks")
    def endpoints_page(org_id: str = org, current: Page = Depends(page)) -> object:
        with current.ctx() as ctx:
            owner, name = _owner(ctx, kind, org_id)
            return current.render("webhooks.html", owner=owner, org_name=name,
                                  base=base(org_id), endpoints=webhooks.endpoints(ctx, owner))

    @router.post(prefix + "/webhooks")
    def register(url: Text = "", event_types: Text = "*", description: Text = "",
                 org_id: str = org, current: Page = Depends(form_page)) -> object:
        typed = {"url": url, "event_types": event_types, "description": description}
        with current.ctx(write=True) as ctx:
            owner, name = _owner(ctx, kind, org_id)
            with current.attempt(ctx, form="webhook", values=typed) as outcome:
                created = webhooks.register(ctx, owner, EndpointIn(
                    url=url, event_types=_event_types(event_types),
                    description=description or None))
            if not outcome.ok:
                return current.redirect(base(org_id) + "#new")
            return current.render("webhook_secret.html", org_name=name, endpoint=created,
                                  secret=created.secret, rotated=None,
                                  back=f"{base(org_id)}/{created.id}")

    @router.get(prefix + "/webhooks/{endpoint_id}")
    def endpoint_page(endpoint_id: str, cursor: str = "", org_id: str = org,
                      current: Page = Depends(page)) -> object:
        with current.ctx() as ctx:
            owner, name = _owner(ctx, kind, org_id)
            try:
                before = decode_cursor(cursor or None)
            except BadCursor:
                before = None
            found = webhooks.to_out(webhooks.endpoint(ctx, owner, endpoint_id))
            deliveries = log.deliveries(ctx, owner, endpoint_id, before, clamp_limit(LOG_PAGE))
            return current.render("webhook_endpoint.html", owner=owner, org_name=name,
                                  base=base(org_id), endpoint=found,
                                  deliveries=deliveries.items,
                                  actions={d.id: DELIVERY_TRANSITIONS.moves(d.status)
                                           for d in deliveries.items},
                                  next_cursor=deliveries.next_cursor(),
                                  event_types=" ".join(found.event_types))

    @router.post(prefix + "/webhooks/{endpoint_id}")
    def change(endpoint_id: str, url: Text = "", event_types: Text = "", description: Text = "",
               org_id: str = org, current: Page = Depends(form_page)) -> object:
        typed = {"url": url, "event_types": event_types, "description": description}
        with current.ctx(write=True) as ctx:
            owner, _ = _owner(ctx, kind, org_id)
            webhooks.endpoint(ctx, owner, endpoint_id)  # someone else's: a 404 page
            with current.attempt(ctx, form="webhook-edit", values=typed) as outcome:
                webhooks.update(ctx, owner, endpoint_id, EndpointPatch(
                    url=url or None, event_types=_event_types(event_types),
                    description=description))
            if outcome.ok:
                current.flash("success", current.gettext("Webhook endpoint saved."))
        return current.redirect(f"{base(org_id)}/{endpoint_id}")

    @router.post(prefix + "/webhooks/{endpoint_id}/{action}")
    def act(endpoint_id: str, action: str, org_id: str = org,
            current: Page = Depends(form_page)) -> object:
        """enable, disable, test, rotate (shows the new secret once) or delete."""
        with current.ctx(write=True) as ctx:
            owner, name = _owner(ctx, kind, org_id)
            webhooks.endpoint(ctx, owner, endpoint_id)  # someone else's: a 404 page
            here = f"{base(org_id)}/{endpoint_id}"
            with current.attempt(ctx, form="webhook-actions") as outcome:
                if action == "rotate":
                    rotated = webhooks.rotate_secret(ctx, owner, endpoint_id)
                    return current.render("webhook_secret.html", org_name=name,
                                          endpoint=webhooks.to_out(
                                              webhooks.endpoint(ctx, owner, endpoint_id)),
                                          secret=rotated.secret, rotated=rotated, back=here)
                message = _simple_action(ctx, current, owner, endpoint_id, action)
            if outcome.ok:
                current.flash("success", message)
                if action == "delete":
                    return current.redirect(base(org_id))
        return current.redirect(here)

    @router.post(prefix
                 + "/webhook-deliveries/{delivery_id}/redeliver")
    def redeliver(delivery_id: str, org_id: str = org,
                  current: Page = Depends(form_page)) -> object:
        with current.ctx(write=True) as ctx:
            owner, _ = _owner(ctx, kind, org_id)
            sent = log.get(ctx, owner, delivery_id)
            with current.attempt(ctx, form="webhook-log") as outcome:
                log.redeliver(ctx, owner, delivery_id)
            if outcome.ok:
                current.flash("success", current.gettext(
                    "Delivery queued again; it leaves within a minute."))
        return current.redirect(f"{base(org_id)}/{sent.endpoint_id}#log")


def _simple_action(ctx: Ctx, current: Page, owner: Owner, endpoint_id: str,
                   action: str) -> str:
    if action in ("enable", "disable"):
        webhooks.update(ctx, owner, endpoint_id, EndpointPatch(enabled=action == "enable"))
        return current.gettext("Webhook endpoint enabled.") if action == "enable" \
            else current.gettext("Webhook endpoint disabled; it gets no events.")
    if action == "test":
        webhooks.ping(ctx, owner, endpoint_id)
        return current.gettext("A ping event is on its way; see the delivery log.")
    if action == "delete":
        webhooks.delete(ctx, owner, endpoint_id)
        return current.gettext("Webhook endpoint deleted.")
    raise NotFound()


def _shop_ref(shop_id: str) -> str:
    return shop_id


def _supplier_ref(supplier_id: str) -> str:
    return supplier_id


_mount("shop", _shop_ref)
_mount("supplier", _supplier_ref)
