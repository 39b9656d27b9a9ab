"""Pure decisions about dispatch orders."""

from __future__ import annotations

from datetime import datetime

MAX_DISPATCH_ORDERS_PER_ORDER = 99  # two digits of the dispatch order number


def dispatch_order_no(created_at: datetime, order_pk: int, sequence: int) -> str:
    """`DO` + yymmdd + the shop order's row id (at least 8 digits) + the sequence (2 digits).

    Unique because (order, sequence) is; all digits after `DO`, so it reads out over the phone.
    """
    if not 1 <= sequence <= MAX_DISPATCH_ORDERS_PER_ORDER:
        raise ValueError("sequence must be 1..99")
    return f"DO{created_at:%y%m%d}{order_pk:08d}{sequence:02d}"
