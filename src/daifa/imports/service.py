"""Start a spreadsheet import in the background, follow it, and the job that runs it.

The job reads and checks the file with no transaction open (the worker's IoJob: `prepare`
reads, `perform` parses, `record` lands), then lands the rows the way the upload endpoints do,
committing chunk by chunk (Ctx.checkpoint) and writing its progress as it goes, so a poller
sees `rows_done` move. The file is dropped when the import ends; the report is kept a week.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update

from daifa.catalog import importer as products
from daifa.config import Settings
from daifa.context import Ctx
from daifa.errors import DaifaError
from daifa.fulfilment import order_files as orders
from daifa.imports.errors import ImportNotFound
from daifa.imports.models import SheetImport
from daifa.imports.schemas import ImportFailure, ImportOut
from daifa.imports.states import FINISHED, ImportStatus
from daifa.jobs import service as jobs
from daifa.sheets.importer import Importer
from daifa.shipping import upload as shipments
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

RUN_JOB = "imports.run"
KEEP = timedelta(days=7)  # how long a finished import's report stays
PROGRESS_EVERY = 0.5  # seconds between progress writes

IMPORTERS: dict[str, Importer[Any, Any]] = {
    importer.name: importer for importer in (orders.ORDERS, products.PRODUCTS,
                                             shipments.SHIPMENTS)}
Owner = Shop | Supplier


def start(ctx: Ctx, importer: Importer[Any, Any], owner: Owner, content: bytes,
          filename: str | None, *, dry_run: bool = False) -> SheetImport:
    """Queue the file for the worker (in the caller's unit of work)."""
    row = SheetImport(kind=importer.name, owner_scope=_scope(owner), owner_pk=owner.id,
                      filename=(filename or "")[:200], content=content, dry_run=dry_run,
                      status=ImportStatus.QUEUED, rows_done=0, created_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    jobs.enqueue(ctx, RUN_JOB, {"import": row.id})
    return row


def find(ctx: Ctx, owner: Owner, import_id: str) -> SheetImport:
    """One of the owner's imports; anyone else's (or none) is 404."""
    well_formed = import_id.isascii() and import_id.isdecimal() and len(import_id) <= 18
    row = ctx.session.get(SheetImport, int(import_id)) if well_formed else None
    if row is None or row.owner_scope != _scope(owner) or row.owner_pk != owner.id:
        raise ImportNotFound(import_id=import_id)
    return row


def _scope(owner: Owner) -> str:
    return "shop" if isinstance(owner, Shop) else "supplier"


def view(row: SheetImport) -> ImportOut:
    return ImportOut(import_id=str(row.id), kind=row.kind,
                     status=ImportStatus(row.status), dry_run=row.dry_run,
                     filename=row.filename, rows_total=row.rows_total,
                     rows_done=row.rows_done, result=row.result,
                     error=ImportFailure(**row.error) if row.error else None,
                     created_at=row.created_at, finished_at=row.finished_at)


@dataclass(frozen=True)
class Work:
    pk: int
    kind: str
    owner_scope: str
    owner_pk: int
    content: bytes
    filename: str
    dry_run: bool
    settings: Settings


def prepare(ctx: Ctx, payload: dict[str, Any]) -> Work | None:
    row = ctx.session.get(SheetImport, int(payload["import"]))
    if row is None or row.status in FINISHED or row.content is None:
        return None
    return Work(row.id, row.kind, row.owner_scope, row.owner_pk, row.content, row.filename,
                row.dry_run, ctx.settings)


def perform(work: Work) -> object:
    """The checked rows, or why the file as a whole is refused (no database here)."""
    try:
        return IMPORTERS[work.kind].rows(work.content, work.filename or None, work.settings)
    except DaifaError as error:
        return error


def record(ctx: Ctx, work: Work, checked: object) -> None:
    if isinstance(checked, DaifaError):
        _finish(ctx, work.pk, ImportStatus.FAILED, error={
            "code": checked.code, "detail": checked.detail, "params": checked.params})
        return
    total = len(checked)  # type: ignore[arg-type]
    _set(ctx, work.pk, status=ImportStatus.RUNNING, rows_total=total, rows_done=0)
    ctx.checkpoint()  # a poller sees it running
    owner = ctx.session.get_one(Shop if work.owner_scope == "shop" else Supplier,
                                work.owner_pk)
    report = IMPORTERS[work.kind].apply(ctx, owner, checked, work.dry_run,
                                        _progress(ctx, work.pk))
    _finish(ctx, work.pk, ImportStatus.DONE, result=report.document(), rows_done=total)


def _progress(ctx: Ctx, pk: int) -> Callable[[int], None]:
    """Counts rows as the importer reports them; writes the count now and then (a poller
    sees it when the importer's next checkpoint commits)."""
    done, last = 0, time.monotonic()

    def advance(rows: int) -> None:
        nonlocal done, last
        done += rows
        if time.monotonic() - last >= PROGRESS_EVERY:
            _set(ctx, pk, rows_done=done)
            last = time.monotonic()

    return advance


def _set(ctx: Ctx, pk: int, **values: Any) -> None:
    ctx.session.execute(update(SheetImport).where(SheetImport.id == pk).values(**values)
                        .execution_options(synchronize_session=False))


def _finish(ctx: Ctx, pk: int, status: ImportStatus, **values: Any) -> None:
    _set(ctx, pk, status=status, content=None, finished_at=ctx.now(), **values)


def purge(ctx: Ctx) -> int:
    """Forget finished imports after a week; for a periodic sweep."""
    result = ctx.session.execute(delete(SheetImport).where(
        SheetImport.finished_at < ctx.now() - KEEP).execution_options(
        synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]

