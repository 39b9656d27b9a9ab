"""A supplier's products: list and search, publish with SKUs, edit, deactivate, import."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form

from daifa.catalog import importer
from daifa.catalog import service as catalog
from daifa.catalog.schemas import (
    SupplyProductIn,
    SupplyProductPatch,
    SupplySkuIn,
    SupplySkuPatch,
)
from daifa.context import Ctx
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.web import forms, sheets
from daifa.web.page import Page, form_page, page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20
SKU_COLUMNS = ("sku_code", "spec", "price", "stock", "tiers")
PRODUCT_FIELDS = ("spu_code", "title", "ship_from_region", "handling_hours")


def _base(supplier_id: str) -> str:
    return f"/suppliers/{supplier_id}"


def product_url(supplier_id: str, spu_code: str, anchor: str = "") -> str:
    return (f"{_base(supplier_id)}/products/{quote(spu_code, safe='')}"
            + (f"#{anchor}" if anchor else ""))


@router.get("/suppliers/{supplier_id}/products")
def products(supplier_id: str, q: str = "", show: str = "", cursor: str = "",
             current: Page = Depends(page)) -> object:
    active = {"active": True, "inactive": False}.get(show)
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        found = catalog.list_products(ctx, supplier, q=q[:64] or None, active=active,
                                      after=forms.cursor_key(cursor), limit=PAGE_SIZE)
        return current.render("supply/products.html", supplier=supplier, items=found.items,
                              next_cursor=found.next_cursor(), q=q, show=show,
                              first_shown=bool(cursor))


def _sku_in(row: dict[str, str]) -> SupplySkuIn:
    return SupplySkuIn.model_validate({
        "sku_code": row["sku_code"], "spec": row["spec"],
        "supply_price_fen": forms.fen(row["price"], "supply_price"),
        "stock": forms.optional_int(row["stock"], "stock"),
        "price_tiers": forms.tiers(row["tiers"], "price_tiers"),
    })


def _form_rows(sku_code: list[str], spec: list[str], price: list[str], stock: list[str],
               tiers: list[str]) -> list[dict[str, str]]:
    return forms.rows(dict(zip(SKU_COLUMNS, (sku_code, spec, price, stock, tiers),
                               strict=True)))


@router.get("/suppliers/{supplier_id}/new-product")
def new_product(supplier_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return current.render("supply/product_new.html", supplier=supplier,
                              values=dict.fromkeys(PRODUCT_FIELDS, ""),
                              rows=[dict.fromkeys(SKU_COLUMNS, "")])


@router.post("/suppliers/{supplier_id}/products")
def publish(supplier_id: str, spu_code: Text = "", title: Text = "",
            ship_from_region: Text = "", handling_hours: Text = "48",
            sku_code: Texts = [], spec: Texts = [], price: Texts = [],  # noqa: B006
            stock: Texts = [], tiers: Texts = [],  # noqa: B006
            current: Page = Depends(form_page)) -> object:
    values = {"spu_code": spu_code, "title": title, "ship_from_region": ship_from_region,
              "handling_hours": handling_hours}
    rows = _form_rows(sku_code, spec, price, stock, tiers)
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="product") as outcome:
            hours = forms.optional_int(handling_hours, "handling_hours")
            data = SupplyProductIn.model_validate({
                **values, "handling_hours": 48 if hours is None else hours,
                "skus": [_sku_in(row) for row in rows]})
            catalog.create_product(ctx, supplier, data)
        if not outcome.ok:
            return current.render("supply/product_new.html", status_code=422,
                                  supplier=supplier, values=values,
                                  rows=rows or [dict.fromkeys(SKU_COLUMNS, "")])
        current.flash("success", current.gettext("Product %(code)s published.",
                                                 code=data.spu_code))
    return current.redirect(product_url(supplier_id, data.spu_code))


def _product_view(ctx: Ctx, supplier: Supplier, spu_code: str) -> dict[str, Any]:
    product = catalog.get_product(ctx, supplier, spu_code)
    return {"supplier": supplier, "product": catalog.product_out(ctx, supplier, product)}


@router.get("/suppliers/{supplier_id}/products/{spu_code}")
def product(supplier_id: str, spu_code: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return current.render("supply/product.html", **_product_view(ctx, supplier, spu_code))


@router.post("/suppliers/{supplier_id}/products/{spu_code}")
def edit_product(supplier_id: str, spu_code: str, title: Text = "", ship_from_region: Text = "",
                 handling_hours: Text = "", current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="product") as outcome:
            patch = SupplyProductPatch.model_validate({
                "title": title, "ship_from_region": ship_from_region,
                "handling_hours": forms.optional_int(handling_hours, "handling_hours")})
            catalog.update_product(ctx, supplier, spu_code, patch)
        if outcome.ok:
            current.flash("success", current.gettext("Saved."), form="product")
    return current.redirect(product_url(supplier_id, spu_code, "product"))


@router.post("/suppliers/{supplier_id}/products/{spu_code}/active")
def set_active(supplier_id: str, spu_code: str, active: Text = "0",
               current: Page = Depends(form_page)) -> object:
    """Deactivate (no new mappings or orders reach its SKUs) or activate again."""
    on = active == "1"
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="product") as outcome:
            catalog.update_product(ctx, supplier, spu_code, SupplyProductPatch(active=on))
        if outcome.ok:
            current.flash("success", current.gettext("Product activated.") if on else
                          current.gettext("Product deactivated: shops can no longer map or "
                                          "receive orders for its SKUs."))
    return current.redirect(product_url(supplier_id, spu_code))


@router.post("/suppliers/{supplier_id}/products/{spu_code}/skus")
def add_sku(supplier_id: str, spu_code: str, sku_code: Text = "", spec: Text = "",
            price: Text = "", stock: Text = "", tiers: Text = "",
            current: Page = Depends(form_page)) -> object:
    row = {"sku_code": sku_code, "spec": spec, "price": price, "stock": stock, "tiers": tiers}
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="add-sku", values=row) as outcome:
            catalog.add_sku(ctx, supplier, spu_code, _sku_in(row))
        if outcome.ok:
            current.flash("success", current.gettext("SKU %(code)s added.", code=sku_code),
                          form="skus")
    return current.redirect(product_url(supplier_id, spu_code, "add-sku" if not outcome.ok
                                        else "skus"))


@router.post("/suppliers/{supplier_id}/products/{spu_code}/skus/{sku_code}")
def edit_sku(supplier_id: str, spu_code: str, sku_code: str, price: Text = "",
             stock: Text = "", spec: Text = "", tiers: Text = "", active: Text = "1",
             current: Page = Depends(form_page)) -> object:
    """The whole SKU as the form shows it; an empty stock stops tracking it."""
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="skus") as outcome:
            patch = SupplySkuPatch.model_validate({
                "supply_price_fen": forms.fen(price, "supply_price"),
                "stock": forms.optional_int(stock, "stock"), "spec": spec,
                "price_tiers": forms.tiers(tiers, "price_tiers"), "active": active == "1"})
            catalog.update_sku(ctx, supplier, spu_code, sku_code, patch)
        if outcome.ok:
            current.flash("success", current.gettext("SKU %(code)s saved.", code=sku_code),
                          form="skus")
    return current.redirect(product_url(supplier_id, spu_code, "skus"))


# --- import ----------------------------------------------------------------------------

sheets.mount(router, sheets.SheetPage(
    importer=importer.PRODUCTS, path="/suppliers/{owner_id}/product-import",
    page="supply/import.html", owner=suppliers.owned, owner_name="supplier", form="import"))
