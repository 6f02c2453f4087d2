"""Rate limiter: a sliding window per key."""

from __future__ import annotations

import pytest

from app.services.rate_limit import RateLimited, RateLimiter


def test_limit_per_key_and_window() -> None:
    now = [100.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("ana", "messages")
    with pytest.raises(RateLimited, match="wait 60 s"):
        limiter.check("ana", "messages")
    limiter.check("ben")  # other users are not affected
    now[0] += 61
    limiter.check("ana")
