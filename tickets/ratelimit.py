"""Anti-abuse for the doors open to anyone: rate limits, the request size cap, the client address.

Counters live in the Django cache (Redis), so every web process shares them. Each limit is a
fixed window: `limit` hits per `period` seconds per key; the hit past the limit is refused
with the seconds left until the window ends (the API's and pages' Retry-After).
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.exceptions import Throttled


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    period: int  # seconds


# Guest submission (page and API): a person sends a handful; a script sends hundreds.
SUBMIT_PER_IP = Limit("submit-ip", 5, 60)
SUBMIT_PER_IP_HOUR = Limit("submit-ip-h", 30, 3600)
SUBMIT_PER_ADDRESS = Limit("submit-address", 10, 3600)
# "Send me my links again": each one mails the address, so a tight cap per address.
RESEND_PER_IP = Limit("resend-ip", 5, 600)
RESEND_PER_ADDRESS = Limit("resend-address", 3, 3600)
# Registration mails a confirmation link too.
REGISTER_PER_IP = Limit("register-ip", 10, 3600)
# Wrong access or invite tokens from one address: guessing a 256-bit token is hopeless, but
# an address that keeps failing is shut out for the rest of the window, right token or not.
TOKEN_FAILURES_PER_IP = Limit("token-fail-ip", 20, 600)
# Every request carrying a token (reads, replies, downloads), right or wrong.
TOKEN_USE_PER_IP = Limit("token-use-ip", 300, 60)


class RateLimited(Throttled):
    """Over a limit: the API answers 429 with Retry-After (DRF); pages catch it and do the same."""

    def __init__(self, wait: int):
        super().__init__(wait=wait, detail=f"Too many requests. Try again in {wait} seconds.")


def client_ip(request) -> str:
    """The address the request came from.

    REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a proxy we
    trust sets it, and a deployment behind one should make the proxy set REMOTE_ADDR.
    """
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(limit: Limit, key: str, now: float) -> str:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{limit.scope}:{digest}:{int(now // limit.period)}"


def _wait(limit: Limit, now: float) -> int:
    return max(1, math.ceil(limit.period - now % limit.period))


def count_hit(limit: Limit, key: str, now: float | None = None) -> int:
    """Count one hit on `key` in the window of `now`; return the hits of that window so far.

    The one counter of the project's fixed windows (these doors, mail intake per sender,
    automation runs per ticket).
    """
    now = time.time() if now is None else now
    cache_key = _key(limit, key, now)
    # add() creates the counter only if it is missing, so two processes never both start at 1.
    if cache.add(cache_key, 1, timeout=limit.period + 1):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=limit.period + 1)
        return 1


def hit(limit: Limit, key: str) -> None:
    """Count one hit on `key`; raise RateLimited when it is past the limit of its window."""
    now = time.time()
    if count_hit(limit, key, now) > limit.limit:
        raise RateLimited(_wait(limit, now))


def check(limit: Limit, key: str) -> None:
    """Raise RateLimited if `key` is already past the limit, without counting a hit."""
    now = time.time()
    if (cache.get(_key(limit, key, now)) or 0) >= limit.limit:
        raise RateLimited(_wait(limit, now))


def request_too_large(request, max_bytes: int) -> bool:
    """True when the declared body is over `max_bytes`: refuse it before reading any of it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > max_bytes
