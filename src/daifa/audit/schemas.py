from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class TimelineEntry(BaseModel):
    at: datetime
    actor: str
    type: str
    subject: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]


class Timeline(BaseModel):
    items: list[TimelineEntry]
