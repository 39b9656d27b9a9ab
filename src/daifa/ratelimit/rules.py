"""The token bucket, as pure arithmetic every store repeats (the Redis script and the
database's UPSERT say the same in their own language; tests hold them to this).

A bucket holds at most `burst` tokens and gains `rate` a second. A request takes `cost`
tokens when there are that many, and nothing when there are not: a refused request does not
push the wait further out, so a client that retries after `Retry-After` gets through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Floats drift: 0.1 s at 10 a second may add up to 0.9999999 tokens, which must count as one.
EPSILON = 1e-9


@dataclass(frozen=True)
class Policy:
    rate: float  # tokens a second
    burst: int  # the most a bucket holds
    write_cost: int  # what a write takes; a read takes 1

    def cost(self, *, write: bool) -> int:
        return self.write_cost if write else 1


@dataclass(frozen=True)
class Bucket:
    tokens: float
    stamp: float  # seconds since the epoch when `tokens` was right


@dataclass(frozen=True)
class Decision:
    allowed: bool
    wait: float = 0.0  # seconds until `cost` tokens are there again (refused only)

    @property
    def retry_after(self) -> int:
        """Whole seconds, at least 1, as Retry-After wants them."""
        return max(1, math.ceil(self.wait - EPSILON))


def take(bucket: Bucket | None, now: float, policy: Policy, cost: int) -> tuple[Bucket, Decision]:
    """The bucket after a request of `cost` at `now`, and whether it may pass. A clock that
    went back (another process's) neither adds tokens nor moves the stamp back."""
    if bucket is None:
        bucket = Bucket(tokens=float(policy.burst), stamp=now)
    elapsed = max(0.0, now - bucket.stamp)
    available = min(float(policy.burst), bucket.tokens + elapsed * policy.rate)
    stamp = max(bucket.stamp, now)
    if available + EPSILON >= cost:
        return Bucket(available - cost, stamp), Decision(allowed=True)
    return Bucket(available, stamp), Decision(False, wait=(cost - available) / policy.rate)
