"""Per-user request rate limits (a sliding window kept in memory).

Limits protect the persona engine, the LLM gateway and the database from runaway clients.  They
are per process: with N replicas a user can reach N times the limit, which still bounds abuse.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from app.services.errors import ServiceError


class RateLimited(ServiceError):
    """Too many requests in a short time; the message says when to try again."""


class RateLimiter:
    """At most ``limit`` events per ``window_s`` seconds for each key."""

    def __init__(
        self, limit: int, window_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window_s
        self._clock = clock
        self._events: dict[object, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: object, what: str = "requests") -> None:
        """Record one event for ``key``; raise RateLimited if it exceeds the limit."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self._window:
                events.popleft()
            if len(events) >= self._limit:
                wait = max(1, math.ceil(events[0] + self._window - now))
                raise RateLimited(
                    f"That is a lot of {what} in a short time: please wait {wait} s and try again."
                )
            events.append(now)
