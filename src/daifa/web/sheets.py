"""Spreadsheet uploads in the console, one way for every importer: the upload form, a preview
(a dry run of every row: nothing is saved), the commit, and the template download.

The file is not stored on the server between the preview and the commit: it travels back in
hidden fields, compressed. Committing the same file twice changes nothing twice: the importers
are idempotent. Row errors are shown in the reader's language from their code and values.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from daifa.context import Ctx
from daifa.errors import DaifaError
from daifa.imports import service as imports
from daifa.imports.models import SheetImport
from daifa.imports.states import ImportStatus
from daifa.messages import render
from daifa.sheets.errors import FileTooLarge, UnreadableFile
from daifa.sheets.importer import Importer
from daifa.sheets.read import read_limited
from daifa.web.page import Page, form_page, page

Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CARRY_CHUNK = 900_000  # characters per hidden field; the form parser takes 1 MB per field
SHOWN_ROWS = 500  # rows listed on a page; all of them are counted
Gettext = Callable[..., str]


class _Error(Protocol):
    @property
    def column(self) -> str | None: ...
    @property
    def code(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def params(self) -> Mapping[str, Any]: ...


class SheetWords:
    """Row errors in the reader's language: 第N行：column，reason."""

    def __init__(self, gettext: Gettext, importer: Importer[Any, Any]) -> None:
        self._ = gettext
        self.importer = importer

    def column(self, name: str | None) -> str:
        if not name:
            return ""
        label = self.importer.layout.label(name)
        return self._(label) if label != name or name in self.importer.layout.names() else name

    def status(self, code: str) -> str:
        label = self.importer.statuses.get(code)
        return self._(label) if label else code

    def reason(self, error: _Error) -> str:
        template = self.importer.message(error.code)
        if template is None:
            return error.reason
        return self._(template) % dict(error.params) if error.params else self._(template)

    def cell_error(self, error: _Error) -> str:
        if not error.column:
            return self.reason(error)
        return self._("%(column)s: %(reason)s", column=self.column(error.column),
                      reason=self.reason(error))

    def row_error(self, row: int, error: _Error) -> str:
        if not error.column:
            return self._("Row %(row)s: %(reason)s", row=row, reason=self.reason(error))
        return self._("Row %(row)s: %(column)s, %(reason)s", row=row,
                      column=self.column(error.column), reason=self.reason(error))


def read_upload(upload: UploadFile | None, limit: int) -> bytes:
    if upload is None or not upload.filename:
        raise UnreadableFile()
    return read_limited(upload.file, limit)


def pack(content: bytes) -> list[str]:
    """A file as hidden form fields, so the commit after a preview needs no server storage."""
    text = base64.b64encode(zlib.compress(content, 6)).decode("ascii")
    return [text[i:i + CARRY_CHUNK] for i in range(0, len(text), CARRY_CHUNK)] or [""]


def unpack(chunks: Sequence[str], limit: int) -> bytes:
    try:
        packed = base64.b64decode("".join(chunks), validate=True)
        inflater = zlib.decompressobj()
        content = inflater.decompress(packed, limit + 1)
    except (ValueError, zlib.error) as exc:
        raise UnreadableFile() from exc
    if len(content) > limit or inflater.unconsumed_tail:
        raise FileTooLarge(limit_mb=limit // (1024 * 1024))
    if not content:
        raise UnreadableFile()
    return content


Extra = Callable[[Ctx, Any, Page], dict[str, Any]]


def _nothing(ctx: Ctx, owner: Any, current: Page) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class SheetPage:
    """One importer's pages: `path` has an {owner_id} (a Supplier or Shop ID) that `owner`
    resolves, for the current person, to the object the template knows as `owner_name`."""

    importer: Importer[Any, Any]
    path: str
    page: str
    owner: Callable[[Ctx, str], Any]
    owner_name: str
    form: str = "upload"
    download: str | None = None  # the template's file name, when the console offers it
    extra: Extra = field(default=_nothing)

    def render(self, current: Page, ctx: Ctx, owner: Any, result: object = None, *,
               packed: list[str] | None = None, filename: str = "",
               running: SheetImport | None = None) -> object:
        return current.render(self.page, result=result, packed=packed, filename=filename,
                              shown=SHOWN_ROWS, words=SheetWords(current.gettext, self.importer),
                              running=running, **{self.owner_name: owner},
                              **self.extra(ctx, owner, current))


def mount(router: APIRouter, sheet: SheetPage) -> None:
    """The upload form, its preview and commit, and the template download on `router`."""

    @router.get(sheet.path)
    def upload_form(owner_id: str, current: Page = Depends(page)) -> object:
        with current.ctx() as ctx:
            return sheet.render(current, ctx, sheet.owner(ctx, owner_id))

    @router.post(sheet.path)
    def preview(owner_id: str, file: Annotated[UploadFile | None, File()] = None,
                current: Page = Depends(form_page)) -> object:
        filename = file.filename if file and file.filename else ""
        checked = _checked(current, sheet, owner_id, filename,
                           lambda limit: read_upload(file, limit))
        with current.ctx(write=True) as ctx:
            owner = sheet.owner(ctx, owner_id)
            result, packed = None, None
            if checked is not None:
                content, rows = checked
                try:  # a dry run keeps nothing; it lets other writers in between its chunks
                    result = sheet.importer.apply(ctx, owner, rows, True, None)
                    packed = pack(content)
                except DaifaError as exc:
                    current.fail(exc, form=sheet.form)
            return sheet.render(current, ctx, owner, result, packed=packed, filename=filename)

    @router.post(sheet.path + "/commit")
    def commit(owner_id: str, content: Texts = [], filename: Text = "",  # noqa: B006
               current: Page = Depends(form_page)) -> object:
        checked = _checked(current, sheet, owner_id, filename[:200],
                           lambda limit: unpack(content, limit))
        with current.ctx(write=True) as ctx:
            owner = sheet.owner(ctx, owner_id)
            result = None
            if checked is not None and _big(current, checked[1]):
                started = imports.start(ctx, sheet.importer, owner, checked[0],
                                        filename[:200])
                return current.redirect(_progress_url(sheet, owner_id, started.id))
            if checked is not None:
                with current.attempt(ctx, form=sheet.form):
                    result = sheet.importer.apply(ctx, owner, checked[1], False, None)
            return sheet.render(current, ctx, owner, result, filename=filename[:200])

    _mount_progress(router, sheet)
    if sheet.download is not None:
        _mount_template(router, sheet, sheet.download)


def _checked(current: Page, sheet: SheetPage, owner_id: str, filename: str,
             read: Callable[[int], bytes]) -> tuple[bytes, Any] | None:
    """The file and its checked rows, read with no transaction open (a big or hostile file
    holds no lock while it is parsed), after a read-only look that the owner is the caller's;
    None, with the reason flashed, when the file as a whole is refused."""
    with current.ctx() as ctx:
        sheet.owner(ctx, owner_id)
    try:
        content = read(current.hub.settings.upload_max_bytes)
        return content, sheet.importer.rows(content, filename or None, current.hub.settings)
    except DaifaError as exc:
        current.fail(exc, form=sheet.form)
        return None


def _mount_progress(router: APIRouter, sheet: SheetPage) -> None:
    @router.get(sheet.path + "/imports/{import_id}")
    def progress(owner_id: str, import_id: str, current: Page = Depends(page)) -> object:
        """A big file landing in the background: its progress (the page polls itself), then
        the same report a direct import shows."""
        with current.ctx() as ctx:
            owner = sheet.owner(ctx, owner_id)
            running = imports.find(ctx, owner, import_id)
            return sheet.render(current, ctx, owner, _report(current, sheet, running),
                                filename=running.filename, running=running)


def _report(current: Page, sheet: SheetPage, running: SheetImport) -> object:
    """The finished import's report (None while it runs); a refused file is flashed."""
    if running.status == ImportStatus.DONE and running.result is not None:
        assert sheet.importer.revive is not None
        return sheet.importer.revive(running.result)
    if running.status == ImportStatus.FAILED and running.error:
        code, params = running.error["code"], running.error.get("params", {})
        current.flash("error", render(code, params, current.gettext), code=code,
                      form=sheet.form)
    return None


def _big(current: Page, rows: Sized) -> bool:
    return len(rows) >= current.hub.settings.sheet_background_rows


def _progress_url(sheet: SheetPage, owner_id: str, import_pk: int) -> str:
    return sheet.path.replace("{owner_id}", owner_id) + f"/imports/{import_pk}"


def _mount_template(router: APIRouter, sheet: SheetPage, name: str) -> None:
    @router.get(sheet.path + "/template")
    def template(owner_id: str, format: Literal["csv", "xlsx"] = "xlsx",
                 lang: Literal["zh", "en"] = "zh", current: Page = Depends(page)) -> Response:
        """The file to fill in: the header row (and examples), ID columns as text."""
        with current.ctx() as ctx:
            sheet.owner(ctx, owner_id)
        if format == "csv":
            body, media = sheet.importer.template_csv(lang), "text/csv; charset=utf-8"
        else:
            body, media = sheet.importer.template_xlsx(lang), XLSX
        return current.finish(Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{name}.{format}"'}))
