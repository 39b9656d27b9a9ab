"""Process-wide settings of a long-running server or worker process."""

from __future__ import annotations

import gc

# Allocations between young-generation collections. Python's default (700) suits small
# scripts; a request or a 1,000-order batch allocates tens of thousands of short-lived
# objects, and every collection also walks what start-up left behind. Measured on a batch
# of 1,000 orders: 2.0 s of collection in 8 s of work with the defaults, 0.25 s with this.
YOUNG_THRESHOLD = 50_000


def settle() -> None:
    """Call once start-up is done: what exists now (modules, the app, its routes and schema
    caches) lives as long as the process, so the collector stops scanning it, and young
    collections come less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
