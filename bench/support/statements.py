"""SQL statements per routed order: POST /orders through the app in process, counted by a
`before_cursor_execute` listener on the engine (every statement the request sends, BEGIN
included; COMMIT is a driver call, not a statement, and is not counted)."""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.engine import make_engine
from daifa.db.uow import Database


def per_routed_order(settings: Settings, base: str, headers: dict[str, str], body_of: Any,
                     *, keyed: bool, measured: int = 5) -> tuple[float, Counter[str], int]:
    """Median statements per order over `measured` orders after three warm-ups, with an
    Idempotency-Key or without; the verbs of the last one; and how many dispatch orders it was
    split into. `body_of(external_id, rng)` makes an order body."""
    db = Database(make_engine(settings.database_url))
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    rng = random.Random(13)
    counts: list[int] = []
    dispatch = 0
    with TestClient(create_app(settings, database=db)) as client:
        for _ in range(3 + measured):
            seen.clear()
            key = {"Idempotency-Key": f"statements-{rng.random()}"} if keyed else {}
            response = client.post(f"{base}/orders", headers={
                **headers, **key, "Content-Type": "application/json"},
                content=json.dumps(body_of(f"statements-{rng.random()}", rng)))
            if response.status_code != 201:
                raise SystemExit(f"counting statements: {response.status_code} "
                                 f"{response.text[:300]}")
            counts.append(len(seen))
            dispatch = len(response.json()["dispatch_orders"])
    verbs = Counter(seen)
    db.dispose()
    return statistics.median(counts[3:]), verbs, dispatch
