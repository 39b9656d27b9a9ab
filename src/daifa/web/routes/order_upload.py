"""Orders from a CSV/XLSX file in the console: template, preview (a dry run), commit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from daifa.orders import files
from daifa.shops import service as shops
from daifa.web import forms
from daifa.web.page import Page, form_page, page
from daifa.web.routes.orders import names
from daifa.web.words import Words

router = APIRouter()
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/shops/{shop_id}/order-upload")
def upload_form(shop_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return current.render("orders/upload.html", shop=shop, result=None, names={},
                              words=Words(current.gettext))


@router.get("/shops/{shop_id}/order-upload/template")
def template(shop_id: str, format: Literal["csv", "xlsx"] = "xlsx",
             lang: Literal["zh", "en"] = "zh", current: Page = Depends(page)) -> Response:
    """The file to fill in: the header row and an example order of two lines."""
    with current.ctx() as ctx:
        shops.owned(ctx, shop_id)
    if format == "csv":
        body, media = files.template_csv(lang), "text/csv; charset=utf-8"
    else:
        body, media = files.template_xlsx(lang), XLSX
    return current.finish(Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="orders-template.{format}"'}))


@router.post("/shops/{shop_id}/order-upload")
def preview(shop_id: str, file: Annotated[UploadFile | None, File()] = None,
            current: Page = Depends(form_page)) -> object:
    """Every row checked and every new order routed in a dry run; nothing is saved."""
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        result, packed = None, None
        with current.attempt(ctx, form="upload"):
            content = forms.read_upload(file)
            result = files.import_file(ctx, shop, content, dry_run=True)
            packed = forms.pack(content)
        known = names(ctx, shop)
        return current.render("orders/upload.html", shop=shop, result=result, packed=packed,
                              filename=file.filename if file else "", names=known,
                              words=Words(current.gettext, known))


@router.post("/shops/{shop_id}/order-upload/commit")
def commit(shop_id: str, content: Texts = [], filename: Text = "",  # noqa: B006
           current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        result = None
        with current.attempt(ctx, form="upload"):
            result = files.import_file(ctx, shop, forms.unpack(content))
        known = names(ctx, shop)
        return current.render("orders/upload.html", shop=shop, result=result, packed=None,
                              filename=filename, names=known,
                              words=Words(current.gettext, known))
