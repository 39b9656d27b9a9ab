"""Shipping by spreadsheet in the console: template, preview (a dry run of every row), commit.

The file is not stored on the server between the preview and the commit: it travels back in
hidden fields (forms.pack), like the order upload. Committing the same file twice ships nothing
twice: the service reports those rows as `already_shipped`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from daifa.shipping import sheets, upload
from daifa.shipping.carriers import CARRIERS
from daifa.suppliers import service as suppliers
from daifa.web import forms
from daifa.web.page import Page, form_page, page
from daifa.web.shipping_words import ShippingWords

router = APIRouter()
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BASE = "/suppliers/{supplier_id}/shipments/upload"
SHOWN_ROWS = 500  # rows listed in the preview table; all of them are counted


def _render(current: Page, supplier: object, result: upload.Outcome | None, *,
            packed: list[str] | None = None, filename: str = "") -> object:
    return current.render("shipping/upload.html", supplier=supplier, result=result,
                          packed=packed, filename=filename, shown=SHOWN_ROWS,
                          carriers=CARRIERS, words=ShippingWords(current.gettext))


@router.get(BASE)
def upload_form(supplier_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        return _render(current, suppliers.owned(ctx, supplier_id), None)


@router.get(BASE + "/template")
def template(supplier_id: str, format: Literal["csv", "xlsx"] = "xlsx",
             lang: Literal["zh", "en"] = "zh", current: Page = Depends(page)) -> Response:
    """The file to fill in: headers (代发单号, 快递公司, 快递单号, SKU编码, 数量), IDs as text."""
    with current.ctx() as ctx:
        suppliers.owned(ctx, supplier_id)
    if format == "csv":
        body, media = sheets.template_csv(lang), "text/csv; charset=utf-8"
    else:
        body, media = sheets.template_xlsx(lang), XLSX
    return current.finish(Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="shipments-template.{format}"'}))


@router.post(BASE)
def preview(supplier_id: str, file: Annotated[UploadFile | None, File()] = None,
            current: Page = Depends(form_page)) -> object:
    """Every row checked against the dispatch orders as they stand; nothing ships yet."""
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        result, packed = None, None
        filename = file.filename if file and file.filename else ""
        with current.attempt(ctx, form="upload"):
            content = forms.read_upload(file)
            result = upload.upload(ctx, supplier, content, filename, dry_run=True)
            packed = forms.pack(content)
        return _render(current, supplier, result, packed=packed, filename=filename)


@router.post(BASE + "/commit")
def commit(supplier_id: str, content: Texts = [], filename: Text = "",  # noqa: B006
           current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        result = None
        with current.attempt(ctx, form="upload"):
            result = upload.upload(ctx, supplier, forms.unpack(content), filename[:200] or None)
        return _render(current, supplier, result, filename=filename[:200])
