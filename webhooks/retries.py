"""When a failed delivery is tried again: the Standard Webhooks example schedule, jittered.

Attempt 1 goes at once; after a failed attempt n the next one waits
RETRY_DELAYS[n - 1]: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. That is ten
attempts over about three days and four hours. Each delay is multiplied by a random
factor in [0.9, 1.1] so that endpoints that failed together do not all retry in the
same second. A receiver that answers 429, 502, 503 or 504 with `Retry-After` gets at
least the delay it asked for, capped at one day. After the tenth attempt the event is
given up for that endpoint (it can still be replayed by hand).
"""

from __future__ import annotations

import random
from datetime import timedelta

RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
RETRY_AFTER_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = timedelta(days=1)


def delay_after(
    attempts_made: int, *, status: int | None = None, retry_after_seconds: int | None = None
) -> timedelta | None:
    """How long to wait before the next automatic attempt, or None when none is left."""
    if attempts_made < 1 or attempts_made >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[attempts_made - 1]
    delay = base * random.uniform(1 - JITTER, 1 + JITTER)
    if status in RETRY_AFTER_STATUSES and retry_after_seconds is not None:
        asked = min(timedelta(seconds=retry_after_seconds), MAX_RETRY_AFTER)
        delay = max(delay, asked)
    return delay
