"""Use cases: open a shop and find the ones an actor speaks for."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select

from daifa.audit import service as audit
from daifa.context import Ctx, Scope
from daifa.errors import Forbidden
from daifa.kit import ids
from daifa.shops.errors import ShopNotFound
from daifa.shops.models import Shop
from daifa.shops.schemas import ShopIn


def create(ctx: Ctx, data: ShopIn) -> Shop:
    if ctx.actor.scope is not Scope.PERSON or ctx.actor.account_id is None:
        raise Forbidden()  # an API key cannot open a shop: a person signs in
    shop = Shop(shop_id=_unused_shop_id(ctx), owner_account_id=ctx.actor.account_id,
                name=data.name.strip(), created_at=ctx.now())
    ctx.session.add(shop)
    ctx.session.flush()
    audit.record(ctx, "shop", shop.shop_id, "shop.created")
    return shop


def _unused_shop_id(ctx: Ctx) -> str:
    while True:
        candidate = ids.new_shop_id()
        if ctx.session.scalar(select(Shop.id).where(Shop.shop_id == candidate)) is None:
            return candidate


_BY_SHOP_ID = select(Shop).where(Shop.shop_id == bindparam("public_id"))  # built once


def owned(ctx: Ctx, shop_id: str) -> Shop:
    """A shop the actor speaks for; unknown, malformed and other tenants' are all 404."""
    if not ids.is_valid_shop_id(shop_id):
        raise ShopNotFound()
    shop = ctx.session.scalar(_BY_SHOP_ID, {"public_id": ids.normalise(shop_id)})
    if shop is None or not ctx.actor.may_act_for(Scope.SHOP, shop.id, shop.owner_account_id):
        raise ShopNotFound()
    return shop


def readable(ctx: Ctx, shop_id: str) -> Shop:
    """A shop the actor speaks for, or any shop for a platform admin (who reads, with an audit
    trail, but does not act for it); otherwise the same 404 as `owned`."""
    if not ctx.actor.is_admin:
        return owned(ctx, shop_id)
    shop = (ctx.session.scalar(_BY_SHOP_ID, {"public_id": ids.normalise(shop_id)})
            if ids.is_valid_shop_id(shop_id) else None)
    if shop is None:
        raise ShopNotFound()
    return shop


def mine(ctx: Ctx) -> Sequence[Shop]:
    if ctx.actor.scope is Scope.SHOP and ctx.actor.org_id is not None:
        return ctx.session.scalars(select(Shop).where(Shop.id == ctx.actor.org_id)).all()
    if ctx.actor.scope is not Scope.PERSON:
        return []
    return ctx.session.scalars(
        select(Shop).where(Shop.owner_account_id == ctx.actor.account_id).order_by(Shop.id)
    ).all()
