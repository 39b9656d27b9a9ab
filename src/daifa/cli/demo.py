"""Demo data: a merchant with a shop, two active suppliers, one awaiting review, bindings.

Idempotent: running it again finds what is there and adds only what is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from sqlalchemy import select

from daifa.bindings import applications, invitations
from daifa.bindings import service as bindings
from daifa.bindings.schemas import ApplicationIn, InvitationIn
from daifa.cli import demo_aftersales, demo_orders
from daifa.context import Actor, Ctx, Scope
from daifa.identity import service as identity
from daifa.identity.models import Account
from daifa.shops import service as shops
from daifa.shops.models import Shop
from daifa.shops.schemas import ShopIn
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.suppliers.schemas import SupplierIn

PASSWORD = "daifa-demo"
ADMIN_PASSWORD = "daifa-admin"
DEMO_LOGINS = {
    "admin": "platform admin",
    "merchant": "merchant with the shop 小王的好物店",
    "supplier": "supplier 杭州好物供应链 (active, bound to the shop)",
    "supplier2": "supplier 义乌小商品批发 (active, an application from the shop is waiting)",
    "supplier3": "supplier 宁波家居日用 (active, bound to the shop by application; the backup)",
    "newcomer": "supplier 新来的供应商 (waiting for platform review)",
}


def _account(ctx: Ctx, login: str, name: str, *, admin: bool = False) -> Account:
    found = ctx.session.scalar(select(Account).where(Account.login == login))
    if found is not None:
        return found
    password = ADMIN_PASSWORD if admin else PASSWORD
    return identity.signup(ctx, login, password, name, is_admin=admin)


def _as(ctx: Ctx, account: Account) -> Ctx:
    actor = Actor(scope=Scope.PERSON, account_id=account.id, is_admin=account.is_admin,
                  label=account.login)
    return replace(ctx, actor=actor)


def _supplier(ctx: Ctx, owner: Account, data: SupplierIn) -> Supplier:
    found = ctx.session.scalar(select(Supplier).where(Supplier.owner_account_id == owner.id))
    return found or suppliers.onboard(_as(ctx, owner), data)


def _shop(ctx: Ctx, owner: Account, name: str) -> Shop:
    found = ctx.session.scalar(select(Shop).where(Shop.owner_account_id == owner.id))
    return found or shops.create(_as(ctx, owner), ShopIn(name=name))


def seed(ctx: Ctx) -> Iterator[str]:
    admin = _account(ctx, "admin", "平台管理员", admin=True)
    merchant = _account(ctx, "merchant", "小王")
    owner1 = _account(ctx, "supplier", "杭州好物")
    owner2 = _account(ctx, "supplier2", "义乌小商品")
    owner3 = _account(ctx, "supplier3", "宁波家居")
    newcomer = _account(ctx, "newcomer", "新来的")
    shop = _shop(ctx, merchant, "小王的好物店")
    first = _supplier(ctx, owner1, SupplierIn(name="杭州好物供应链", contact_phone="13812345678",
                                              contact_name="陈经理", region="浙江省 杭州市"))
    second = _supplier(ctx, owner2, SupplierIn(name="义乌小商品批发", contact_phone="13987654321",
                                               contact_name="李老板", region="浙江省 金华市"))
    third = _supplier(ctx, owner3, SupplierIn(name="宁波家居日用", contact_phone="13566667777",
                                              contact_name="周主管", region="浙江省 宁波市"))
    _supplier(ctx, newcomer, SupplierIn(name="新来的供应商", contact_phone="13700001111",
                                        region="广东省 广州市"))
    as_admin = _as(ctx, admin)
    for supplier in (first, second, third):
        if supplier.status == "pending":
            suppliers.review(as_admin, supplier.supplier_id, "approve", "demo data")
    as_merchant = _as(ctx, merchant)
    if bindings.active_binding(ctx, shop, first) is None:
        created = invitations.create(as_merchant, shop, InvitationIn())
        invitations.accept(_as(ctx, owner1), created.token, first.supplier_id)
    if (bindings.active_binding(ctx, shop, second) is None
            and applications.outgoing(ctx, shop, limit=200).items == []):
        applications.apply(as_merchant, shop, ApplicationIn(
            supplier_id=second.supplier_id, message="你好，想代发你家的小商品"))
    if bindings.active_binding(ctx, shop, third) is None:
        applied = applications.apply(as_merchant, shop, ApplicationIn(
            supplier_id=third.supplier_id, message="请做我们的备用供应商"))
        applications.approve(_as(ctx, owner3), third, str(applied.id), "欢迎")
    yield (f"shop {shop.shop_id} ({shop.name}); suppliers {first.supplier_id} ({first.name}), "
           f"{second.supplier_id} ({second.name}), {third.supplier_id} ({third.name})")
    for owner, supplier in ((owner1, first), (owner3, third)):
        demo_orders.supply_catalog(_as(ctx, owner), supplier)
    yield from demo_orders.seed(as_merchant, shop, first, third)
    yield from demo_aftersales.seed(as_merchant, _as(ctx, owner1), shop, first)
    for login, what in DEMO_LOGINS.items():
        password = ADMIN_PASSWORD if login == "admin" else PASSWORD
        yield f"  sign in as {login} / {password}: {what}"
