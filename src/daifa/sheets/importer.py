"""The importer shape every spreadsheet upload follows.

A declaration names its columns (English and Chinese headers), the column groups it requires,
a row check (pure: cells in, checked rows with row errors out, no database), and an apply that
lands the good rows (or, for a dry run, only says what it would do); plus the template to hand
out. The console, the API and the CLI run every importer the same way:
read → check → apply(dry_run) → report.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field

from daifa.config import Settings
from daifa.sheets.bounds import Limits
from daifa.sheets.errors import SheetTooSlow
from daifa.sheets.messages import MESSAGES, RowError, row_error
from daifa.sheets.table import Layout, Sheet, read_sheet
from daifa.sheets.write import Lang, Template

Progress = Callable[[int], None]
C = TypeVar("C", bound=Sized)  # the checked rows: anything with a length
Out = TypeVar("Out", bound="Report")


@contextmanager
def collector_paused() -> Iterator[None]:
    """A big file makes hundreds of thousands of small objects that live until the import
    ends; the cycle collector would walk them again and again (a third of the time).
    Reference counting still frees everything as usual; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def limits_of(settings: Settings) -> Limits:
    seconds = settings.sheet_time_budget_seconds
    return Limits(max_rows=settings.sheet_max_rows,
                  max_unpacked=settings.sheet_max_unpacked_bytes,
                  deadline=time.monotonic() + seconds, seconds=seconds)


class RowErrorOut(BaseModel):
    """A row error in an API response: the English reason, and the code with its values."""

    column: str | None
    reason: str
    code: str
    params: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, error: RowError) -> RowErrorOut:
        return cls(column=error.column, reason=error.reason, code=error.code,
                   params=dict(error.params))


class Report(Protocol):
    """What every importer's result tells its surfaces."""

    @property
    def dry_run(self) -> bool: ...

    def rejected(self) -> Sequence[tuple[int, str, Sequence[RowErrorOut | RowError]]]:
        """(row, what the row is about, its errors) for every rejected row."""
        ...

    def summary_line(self) -> str: ...

    def document(self) -> dict[str, Any]: ...


Apply = Callable[[Any, Any, C, bool, "Progress | None"], Out]


@dataclass(frozen=True)
class Importer(Generic[C, Out]):
    name: str
    layout: Layout
    template: Template
    check: Callable[[Sheet], C]
    apply: Apply[C, Out]
    messages: Mapping[str, str] = field(default_factory=dict)  # templates of its own codes
    statuses: Mapping[str, str] = field(default_factory=dict)  # row statuses as message ids
    # The report again from its document (a background import keeps only the document).
    revive: Callable[[dict[str, Any]], Out] | None = None

    def rows(self, data: bytes, filename: str | None, settings: Settings) -> C:
        """Read and check the file, touching no database: callers do it before they open the
        unit of work that lands the rows, so a big or hostile file holds no lock. Raises for
        the file as a whole (422, or 413 for a workbook that unpacks to too much)."""
        limits = limits_of(settings)
        with collector_paused():
            checked = self.check(read_sheet(data, filename, self.layout, limits))
        if time.monotonic() > limits.deadline:
            raise SheetTooSlow(seconds=limits.seconds)
        return checked

    def error(self, number: int, column: str | None, code: str, /, **params: Any) -> RowError:
        return row_error(number, column, code, self.messages, **params)

    def message(self, code: str) -> str | None:
        """The English template of a code (a message id of the console's catalogs)."""
        return self.messages.get(code) or MESSAGES.get(code)

    def template_csv(self, lang: Lang = "zh") -> bytes:
        return self.template.csv(self.layout, lang)

    def template_xlsx(self, lang: Lang = "zh") -> bytes:
        return self.template.xlsx(self.layout, lang)
