from __future__ import annotations

from enum import StrEnum

from daifa.kit.states import TransitionTable


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_TRANSITIONS = TransitionTable[JobStatus](
    "job",
    JobStatus,
    [
        ("claim", JobStatus.QUEUED, JobStatus.RUNNING),
        ("finish", JobStatus.RUNNING, JobStatus.DONE),
        ("retry", JobStatus.RUNNING, JobStatus.QUEUED),
        ("give_up", JobStatus.RUNNING, JobStatus.FAILED),
        ("reclaim", JobStatus.RUNNING, JobStatus.RUNNING),
        # a worker shutting down gives back a job it could not finish, the attempt not counted
        ("release", JobStatus.RUNNING, JobStatus.QUEUED),
    ],
)


def backoff_seconds(attempts: int) -> int:
    """Exponential backoff: 10 s, 20 s, 40 s ... capped at one hour."""
    return int(min(3600, 10 * 2 ** max(0, attempts - 1)))
