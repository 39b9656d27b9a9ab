from __future__ import annotations

from enum import StrEnum

from daifa.kit.states import TransitionTable


class SupplierStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


SUPPLIER_TRANSITIONS = TransitionTable[SupplierStatus](
    "supplier",
    SupplierStatus,
    [
        ("approve", SupplierStatus.PENDING, SupplierStatus.ACTIVE),
        ("reject", SupplierStatus.PENDING, SupplierStatus.REJECTED),
        ("suspend", SupplierStatus.ACTIVE, SupplierStatus.SUSPENDED),
        ("reinstate", SupplierStatus.SUSPENDED, SupplierStatus.ACTIVE),
    ],
)
