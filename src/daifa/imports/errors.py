from __future__ import annotations

from daifa.errors import NotFound


class ImportNotFound(NotFound):
    code = "IMPORT_NOT_FOUND"
    title = "No such import"
