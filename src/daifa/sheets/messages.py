"""The row error every importer reports, and the message templates of the shared codes.

A row error is data: (row, column, code, params) plus the English template of its code. Each
surface renders it: the API and the CLI as ``template % params``, the console as
``gettext(template) % params`` in the reader's language. Templates are marked with ``N_`` so
the console's catalogs pick them up; params hold values (numbers, codes, what the file said),
never sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    """Mark a message for extraction into the console's catalogs; translated where shown."""
    return message


MESSAGES: dict[str, str] = {
    "MISSING_VALUE": N_("required"),
    "ID_NOT_TEXT": N_("Excel stored this ID as a number, date or TRUE/FALSE and may have "
                      "changed it: store the ID as text (format the column as 文本) and enter "
                      "it again"),
    "TOO_LONG": N_("at most %(n)s characters"),
    "INVALID_NUMBER": N_("a whole number from %(low)s to %(high)s"),
    "INVALID_QUANTITY": N_("a whole number from %(low)s to %(high)s"),
    "INVALID_SKU_CODE": N_("at most %(n)s characters, without spaces or / \\ ? # %%"),
    "INVALID_SPU_CODE": N_("at most %(n)s characters, without spaces or / \\ ? # %%"),
    "INVALID_FEN": N_("a whole number of fen, 0 or more"),
    "INVALID_YUAN": N_("an amount in yuan, like 12.50"),
    "NEGATIVE_AMOUNT": N_("must not be negative"),
}


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one row; `column` None means the row as a whole."""

    row: int
    column: str | None
    code: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The English sentence, as the API and the CLI show it."""
        return self.template % dict(self.params) if self.params else self.template % ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"column": self.column, "reason": self.reason, "code": self.code}
        if self.params:
            out["params"] = dict(self.params)
        return out


def row_error(number: int, column: str | None, code: str,
              messages: Mapping[str, str] = MESSAGES, /, **params: Any) -> RowError:
    """A row error whose template is the code's entry in `messages` (or the shared ones)."""
    template = messages.get(code) or MESSAGES[code]
    return RowError(number, column, code, template, params)
