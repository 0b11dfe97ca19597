"""When a failed exchange is tried again: exponential backoff with a ceiling.

A failure at attempt ``n`` (1-based) waits ``base * 2 ** (n - 1)`` seconds, at most
``ceiling``; a small spread derived from the exchange's own key keeps a hundred messages
that failed together from all knocking again in the same second.
"""

import hashlib
from datetime import timedelta

CEILING = 6 * 3600


def delay(attempt, base, key="", ceiling=CEILING):
    """Seconds to wait after the ``attempt``-th failure (``attempt`` >= 1)."""
    if attempt < 1 or base <= 0:
        raise ValueError("attempt and base must be positive")
    wait = min(base * 2 ** min(attempt - 1, 30), ceiling)
    spread = int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % max(1, wait // 10 or 1)
    return wait + spread


def next_retry(now, attempt, base, key="", ceiling=CEILING):
    return now + timedelta(seconds=delay(attempt, base, key, ceiling))
