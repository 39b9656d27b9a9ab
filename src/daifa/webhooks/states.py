"""A webhook delivery's lifecycle.

``pending`` while the worker still tries (the first attempt and every retry on the backoff
schedule); ``succeeded`` once an endpoint answered 2xx; ``failed`` when the schedule ran out
(24 h) or the endpoint was disabled or deleted before it was sent. A person may send a finished
delivery again (``redeliver``), which starts a fresh retry schedule. Each attempt is a row in the
delivery log, so the log is the timeline of a delivery.
"""

from __future__ import annotations

from enum import StrEnum

from daifa.kit.states import TransitionTable


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


_D = DeliveryStatus

DELIVERY_TRANSITIONS = TransitionTable[DeliveryStatus](
    "webhook_delivery",
    DeliveryStatus,
    [
        ("succeed", _D.PENDING, _D.SUCCEEDED),
        ("retry", _D.PENDING, _D.PENDING),
        ("give_up", _D.PENDING, _D.FAILED),
        ("redeliver", (_D.SUCCEEDED, _D.FAILED), _D.PENDING),
    ],
)
