"""Rows out as files people open in Excel or WPS: CSV in UTF-8 with a BOM (Chinese Excel reads
a plain UTF-8 CSV as GBK), XLSX with identifiers as text cells, and the templates to fill in.

Numbers of more than 15 digits are written as text: Excel would round them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from daifa.sheets.table import Layout

Lang = Literal["zh", "en"]
TEXT = "@"
_LIMIT = 10**15


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """CSV in UTF-8 with a BOM and CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= _LIMIT:
        return str(value)
    return value


def xlsx_bytes(rows: Iterable[Sequence[object]], *, sheet: str = "Sheet1",
               text_columns: Collection[int] = ()) -> bytes:
    """One sheet of rows; cells of `text_columns` (0-based) and long numbers stored as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    page = book.create_sheet(sheet)
    for row in rows:
        cells = []
        for position, value in enumerate(row):
            cell = WriteOnlyCell(page, value=_cell(value) if position not in text_columns
                                 else ("" if value is None else str(value)))
            if position in text_columns:
                cell.number_format = TEXT
            cells.append(cell)
        page.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Template:
    """The file an importer hands out to be filled in."""

    columns: tuple[str, ...]  # which of the layout's columns, in order
    titles: Mapping[Lang, str]  # the sheet's name per language
    examples: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()  # a second sheet of instructions, when given
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)  # drop-downs per column
    widths: Mapping[str, int] = field(default_factory=dict)
    text_rows: int = 0  # rows under the header formatted as text in the ID columns

    def headers(self, layout: Layout, lang: Lang) -> list[str]:
        by_name = {column.name: column for column in layout.columns}
        return [by_name[name].zh if lang == "zh" else name for name in self.columns]

    def csv(self, layout: Layout, lang: Lang = "zh") -> bytes:
        return csv_bytes([self.headers(layout, lang), *self.examples])

    def xlsx(self, layout: Layout, lang: Lang = "zh") -> bytes:
        return _template_xlsx(self, layout, lang)


def _template_xlsx(template: Template, layout: Layout, lang: Lang) -> bytes:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ids = {column.name for column in layout.columns if column.is_id}
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.title = template.titles[lang]
    sheet.append(template.headers(layout, lang))
    for row in template.examples:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    last = max(template.text_rows, len(template.examples)) + 1
    for position, name in enumerate(template.columns, start=1):
        letter = get_column_letter(position)
        if name in template.widths:
            sheet.column_dimensions[letter].width = template.widths[name]
        if name in ids:
            sheet.column_dimensions[letter].number_format = TEXT
            for (cell,) in sheet[f"{letter}2:{letter}{last}"]:
                cell.number_format = TEXT
        if name in template.choices:
            _drop_down(sheet, letter, template.choices[name], last)
    sheet.freeze_panes = "A2"
    if template.notes:
        notes = book.create_sheet("说明" if lang == "zh" else "help")
        for line in template.notes:
            notes.append([line])
        notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_down(sheet: Any, letter: str, choices: Sequence[str], last: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(type="list", allow_blank=True, showErrorMessage=False,
                                formula1='"' + ",".join(choices) + '"')
    validation.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(validation)
