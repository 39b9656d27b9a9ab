"""The one way an API endpoint lands a spreadsheet upload, now or in the background.

The caller's right to the owner is checked first, in a read-only look; the file is then read
and checked with no transaction open, so a big or hostile file holds no lock while it is
parsed; only the landing of the checked rows is a unit of work. With `background=true` the
file is queued for the worker instead (202, and the import to follow at `Location`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Query, Response, UploadFile

from daifa.api.deps import Call
from daifa.context import Ctx
from daifa.imports import service as imports
from daifa.imports.schemas import ImportOut
from daifa.sheets.importer import Importer, Report
from daifa.sheets.read import read_limited

Out = TypeVar("Out", bound=Report)
Background = Query(False, description="Queue the file for the worker and answer 202 at once "
                                      "with the import to follow (rows_done of rows_total)")
QUEUED: dict[int | str, dict[str, Any]] = {202: {
    "model": ImportOut,
    "description": "queued (`background=true`); follow it at the `Location`"}}


def land(call: Call, importer: Importer[Any, Out], owner: Callable[[Ctx], object],
         file: UploadFile, *, dry_run: bool) -> Out:
    settings = call.hub.settings
    content = read_limited(file.file, settings.upload_max_bytes)
    with call.ctx(read_only=True) as ctx:
        owner(ctx)
    rows = importer.rows(content, file.filename, settings)
    with call.ctx() as ctx:
        return importer.apply(ctx, owner(ctx), rows, dry_run, None)


def queue(call: Call, importer: Importer[Any, Any], owner: Callable[[Ctx], imports.Owner],
          file: UploadFile, *, dry_run: bool, path: str) -> Response:
    """202 with the queued import; `path` is the owner's imports collection."""
    content = read_limited(file.file, call.hub.settings.upload_max_bytes)
    with call.ctx() as ctx:
        row = imports.start(ctx, importer, owner(ctx), content, file.filename, dry_run=dry_run)
        out = imports.view(row)
    return Response(out.model_dump_json(), status_code=202, media_type="application/json",
                    headers={"Location": f"{path}/{out.import_id}"})
