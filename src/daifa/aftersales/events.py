"""What happened to after-sales cases, for the reactions table (fulfilment.reactions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from daifa.aftersales.access import CaseTarget


@dataclass(slots=True)
class CasesOpened:
    targets: Sequence[CaseTarget]


@dataclass(slots=True)
class CaseMoved:
    """A case moved along its table by `action` (from `previous`)."""

    target: CaseTarget
    action: str
    previous: str
    reason: str | None = None
