"""How often one client may ask for work that is costly to make (a PDF takes about a second of a
server's CPU): a sliding window per client address, in the serving process.

Each server process counts on its own, so with N workers a client gets up to N times the limit; the
point is that one browser or script cannot keep a worker busy, not an exact quota (a proxy in front
of the site limits across processes).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class Window:
    """At most `limit` requests per `seconds` from one key."""

    def __init__(self, limit: int, seconds: float, clock=time.monotonic):
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            if len(self._seen) > 10_000:  # forget clients with nothing in their window
                for k in [k for k, v in self._seen.items() if not v]:
                    del self._seen[k]
            return True
