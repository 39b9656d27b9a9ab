"""An import's statuses, in the order they come."""

from __future__ import annotations

from enum import StrEnum


class ImportStatus(StrEnum):
    QUEUED = "queued"  # waiting for the worker
    RUNNING = "running"  # read and checked; its rows are landing
    DONE = "done"  # every good row landed (or, for a dry run, was tried); the report is kept
    FAILED = "failed"  # the file as a whole was refused; the error says why


FINISHED = frozenset({ImportStatus.DONE, ImportStatus.FAILED})
