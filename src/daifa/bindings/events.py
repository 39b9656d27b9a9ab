"""What happens to a binding, for the reactions table (fulfilment.reactions)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BindingEnding:
    """A shop and a supplier are about to unbind; a reaction may refuse (raise) while work
    between them is still open, and nothing is changed."""

    shop_pk: int
    supplier_pk: int
