"""The one way an API endpoint lands a spreadsheet upload.

The caller's right to the owner is checked first, in a read-only look; the file is then read
and checked with no transaction open, so a big or hostile file holds no lock while it is
parsed; only the landing of the checked rows is a unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import UploadFile

from daifa.api.deps import Call
from daifa.context import Ctx
from daifa.sheets.importer import Importer, Report
from daifa.sheets.read import read_limited

Out = TypeVar("Out", bound=Report)


def land(call: Call, importer: Importer[Any, Out], owner: Callable[[Ctx], object],
         file: UploadFile, *, dry_run: bool) -> Out:
    settings = call.hub.settings
    content = read_limited(file.file, settings.upload_max_bytes)
    with call.ctx(read_only=True) as ctx:
        owner(ctx)
    rows = importer.rows(content, file.filename, settings)
    with call.ctx() as ctx:
        return importer.apply(ctx, owner(ctx), rows, dry_run, None)
