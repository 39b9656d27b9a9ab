"""A shop's products: sale prices, the bound suppliers' SKUs that fulfil them (sources), the
mapping helper's proposals, and a bound supplier's products to pick from."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form

from daifa.bindings import service as bindings
from daifa.bindings.schemas import BindingOut
from daifa.bindings.states import BindingStatus
from daifa.catalog import mapping, partners, shop_catalog, suggestions
from daifa.catalog import service as catalog
from daifa.catalog.schemas import ShopProductIn, ShopProductPatch, ShopSkuIn, ShopSkuPatch, SourceIn
from daifa.context import Ctx
from daifa.kit.pagination import MAX_LIMIT
from daifa.shops import service as shops
from daifa.shops.models import Shop
from daifa.web import forms
from daifa.web.forms import cursor_key
from daifa.web.page import Page, form_page, page
from daifa.web.routes.supply_catalog import PAGE_SIZE

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
SKU_COLUMNS = ("sku_code", "spec", "price")
PRODUCT_FIELDS = ("spu_code", "title")


def product_url(shop_id: str, spu_code: str, anchor: str = "") -> str:
    return (f"/shops/{shop_id}/products/{quote(spu_code, safe='')}"
            + (f"#{anchor}" if anchor else ""))


def bound(ctx: Ctx, shop: Shop) -> list[BindingOut]:
    """The shop's active bindings (its bound suppliers), for pickers."""
    return [b for b in bindings.for_shop(ctx, shop, BindingStatus.ACTIVE, limit=MAX_LIMIT).items
            if b.supplier_status == "active"]


@router.get("/shops/{shop_id}/products")
def products(shop_id: str, q: str = "", cursor: str = "", current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        found = shop_catalog.list_products(ctx, shop, q=q[:64] or None,
                                           after=cursor_key(cursor), limit=PAGE_SIZE)
        return current.render("shop_catalog/products.html", shop=shop, items=found.items,
                              next_cursor=found.next_cursor(), q=q, first_shown=bool(cursor),
                              suppliers=bound(ctx, shop))


@router.get("/shops/{shop_id}/new-product")
def new_product(shop_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return current.render("shop_catalog/product_new.html", shop=shop,
                              values=dict.fromkeys(PRODUCT_FIELDS, ""),
                              rows=[dict.fromkeys(SKU_COLUMNS, "")])


def _sku_in(row: dict[str, str]) -> ShopSkuIn:
    return ShopSkuIn.model_validate({"sku_code": row["sku_code"], "spec": row["spec"],
                                     "price_fen": forms.fen(row["price"], "price")})


@router.post("/shops/{shop_id}/products")
def create_product(shop_id: str, spu_code: Text = "", title: Text = "",
                   sku_code: Texts = [], spec: Texts = [], price: Texts = [],  # noqa: B006
                   current: Page = Depends(form_page)) -> object:
    values = {"spu_code": spu_code, "title": title}
    rows = forms.rows(dict(zip(SKU_COLUMNS, (sku_code, spec, price), strict=True)))
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="product") as outcome:
            data = ShopProductIn.model_validate({**values,
                                                 "skus": [_sku_in(row) for row in rows]})
            shop_catalog.create_product(ctx, shop, data)
        if not outcome.ok:
            return current.render("shop_catalog/product_new.html", status_code=422, shop=shop,
                                  values=values, rows=rows or [dict.fromkeys(SKU_COLUMNS, "")])
        current.flash("success", current.gettext(
            "Product %(code)s listed. Now map each SKU to the supplier SKUs that fulfil it.",
            code=data.spu_code))
    return current.redirect(product_url(shop_id, data.spu_code, "skus"))


def _product_view(ctx: Ctx, shop: Shop, spu_code: str) -> dict[str, Any]:
    product = shop_catalog.get_product(ctx, shop, spu_code)
    return {"shop": shop, "product": shop_catalog.product_out(ctx, shop, product),
            "suppliers": bound(ctx, shop)}


@router.get("/shops/{shop_id}/products/{spu_code}")
def product(shop_id: str, spu_code: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return current.render("shop_catalog/product.html", **_product_view(ctx, shop, spu_code))


@router.post("/shops/{shop_id}/products/{spu_code}")
def edit_product(shop_id: str, spu_code: str, title: Text = "", active: Text = "",
                 current: Page = Depends(form_page)) -> object:
    """The title, or (with `active` 0/1) deactivate or activate the product."""
    fields: dict[str, Any] = {"active": active == "1"} if active else {"title": title}
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="product") as outcome:
            shop_catalog.update_product(ctx, shop, spu_code,
                                        ShopProductPatch.model_validate(fields))
        if outcome.ok:
            current.flash("success", current.gettext("Saved."), form="product")
    return current.redirect(product_url(shop_id, spu_code, "product"))


@router.post("/shops/{shop_id}/products/{spu_code}/skus")
def add_sku(shop_id: str, spu_code: str, sku_code: Text = "", spec: Text = "",
            price: Text = "", current: Page = Depends(form_page)) -> object:
    row = {"sku_code": sku_code, "spec": spec, "price": price}
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="add-sku", values=row) as outcome:
            shop_catalog.add_sku(ctx, shop, spu_code, _sku_in(row))
        if outcome.ok:
            current.flash("success", current.gettext("SKU %(code)s added.", code=sku_code),
                          form="skus")
    return current.redirect(product_url(shop_id, spu_code, "skus" if outcome.ok else "add-sku"))


@router.post("/shops/{shop_id}/products/{spu_code}/skus/{sku_code}")
def edit_sku(shop_id: str, spu_code: str, sku_code: str, price: Text = "", spec: Text = "",
             active: Text = "1", current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="skus") as outcome:
            patch = ShopSkuPatch(price_fen=forms.fen(price, "price"), spec=spec,
                                 active=active == "1")
            shop_catalog.update_sku(ctx, shop, spu_code, sku_code, patch)
        if outcome.ok:
            current.flash("success", current.gettext("SKU %(code)s saved.", code=sku_code),
                          form="skus")
    return current.redirect(product_url(shop_id, spu_code, "skus"))


@router.post("/shops/{shop_id}/products/{spu_code}/skus/{sku_code}/sources")
def set_sources(shop_id: str, spu_code: str, sku_code: str,
                supplier_id: Texts = [], supplier_sku: Texts = [],  # noqa: B006
                current: Page = Depends(form_page)) -> object:
    """One supplier SKU code per bound supplier (blank: no source from that supplier)."""
    rows = forms.rows({"supplier_id": supplier_id, "supplier_sku": supplier_sku})
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form=f"sources-{sku_code}") as outcome:
            sources = [SourceIn(supplier_id=row["supplier_id"], sku_code=row["supplier_sku"])
                       for row in rows if row["supplier_sku"]]
            shop_catalog.replace_sources(ctx, shop, spu_code, sku_code, sources)
        if outcome.ok:
            current.flash("success", current.gettext("Sources of %(code)s saved.",
                                                     code=sku_code), form=f"sources-{sku_code}")
    return current.redirect(product_url(shop_id, spu_code, f"sku-{sku_code}"))


# --- the mapping helper and a bound supplier's products -----------------------------------

@router.get("/shops/{shop_id}/mapping")
def proposals(shop_id: str, supplier_id: str = "", current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        suppliers = bound(ctx, shop)
        chosen = supplier_id or (suppliers[0].supplier_id if suppliers else "")
        found = []
        if chosen:
            with current.attempt(ctx, form="mapping"):
                found = suggestions.mapping_suggestions(ctx, shop, chosen)
        return current.render("shop_catalog/mapping.html", shop=shop, suppliers=suppliers,
                              chosen=chosen, suggestions=found)


@router.post("/shops/{shop_id}/mapping")
def confirm(shop_id: str, supplier_id: Text = "", pick: Texts = [],  # noqa: B006
            current: Page = Depends(form_page)) -> object:
    """Each ticked proposal `shop SKU code \\t supplier SKU code` becomes a source."""
    picks = [(sku, code) for sku, _, code in (p.partition("\t") for p in pick) if code]
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="mapping") as outcome:
            results = mapping.confirm(ctx, shop, supplier_id, picks)
        if outcome.ok:
            done = sum(1 for r in results if r.error is None)
            current.flash("success", current.gettext("%(n)s sources added.", n=done),
                          form="mapping")
            for r in (r for r in results if r.error):
                current.flash("error", current.gettext(
                    "%(sku)s → %(supplier_sku)s not added.", sku=r.sku_code,
                    supplier_sku=r.supplier_sku_code), code=r.error, form="mapping")
    return current.redirect(f"/shops/{shop_id}/mapping?supplier_id={quote(supplier_id)}")


@router.get("/shops/{shop_id}/suppliers/{supplier_id}/products")
def supplier_products(shop_id: str, supplier_id: str, q: str = "", cursor: str = "",
                      current: Page = Depends(page)) -> object:
    """A bound supplier's active products with supply prices, to pick sources from."""
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        supplier = partners.bound_supplier(ctx, shop, supplier_id)
        found = catalog.list_products(ctx, supplier, q=q[:64] or None, active=True,
                                      after=cursor_key(cursor), limit=PAGE_SIZE)
        return current.render("shop_catalog/supplier_products.html", shop=shop,
                              supplier=supplier, items=found.items, q=q,
                              next_cursor=found.next_cursor(), first_shown=bool(cursor))
