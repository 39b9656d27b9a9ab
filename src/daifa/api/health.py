"""Liveness and readiness for load balancers and process managers: outside /api/v1, not in
the OpenAPI document, cheap enough to ask every few seconds.

`GET /healthz`: the process answers; no database. `GET /readyz`: the database answers
`SELECT 1` and its schema is at the migrations this release ships, else 503 problem+json
(`DATABASE_UNAVAILABLE`, `MIGRATIONS_PENDING`): a release whose migrations have not run gets
no traffic.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from daifa.db.migrate import code_heads, database_heads
from daifa.errors import DatabaseUnavailable, MigrationsPending
from daifa.hub import Hub

router = APIRouter(include_in_schema=False)
log = logging.getLogger("daifa.health")
OK = {"status": "ok"}


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """On the event loop: it must answer even when every worker thread is busy."""
    return OK


@router.get("/readyz")
def readyz(request: Request) -> dict[str, str]:
    hub: Hub = request.app.state.hub
    try:
        with hub.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = database_heads(conn)
    except SQLAlchemyError as exc:
        log.warning("not ready: the database does not answer: %s", type(exc).__name__)
        raise DatabaseUnavailable() from None
    head = code_heads()
    if current != head:
        raise MigrationsPending(current=", ".join(sorted(current)) or "none",
                                head=", ".join(sorted(head)))
    return OK
