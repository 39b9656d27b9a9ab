"""What happened to a supplier, for the reactions table (fulfilment.reactions)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SupplierSuspended:
    """The platform suspended the supplier: what it has not accepted goes elsewhere."""

    supplier_pk: int
    supplier_id: str
    reason: str | None = None
