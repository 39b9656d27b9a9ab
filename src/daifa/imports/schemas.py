from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from daifa.imports.states import ImportStatus


class ImportFailure(BaseModel):
    code: str
    detail: str
    params: dict[str, Any] = Field(default_factory=dict)


class ImportOut(BaseModel):
    """A background import: `rows_done` of `rows_total` rows landed so far; when `done`,
    `result` is the same document the upload answers without `background`."""

    import_id: str
    kind: Literal["orders", "products", "shipments"]
    status: ImportStatus
    dry_run: bool
    filename: str
    rows_total: int | None
    rows_done: int
    result: dict[str, Any] | None = None
    error: ImportFailure | None = None
    created_at: datetime
    finished_at: datetime | None = None
