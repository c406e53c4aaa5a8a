"""Login throttling: progressive lockout per account and per client address.

Failed logins are counted in the cache (Redis in production, shared by every process). Past a
threshold the account (or the address) is locked for a while, longer the more it keeps failing:
by default 5 failures lock an account for 1 minute and 10 for 15 minutes; an address is locked
after 20 and 50 failures. While locked, even the right password is refused (429 with
Retry-After), so guessing cannot go on. A successful login clears the account's counter.

The steps are the LOGIN_LOCKOUT setting: {"account": [(failures, seconds), ...], "ip": [...]}.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from tickets.ratelimit import RateLimited, client_ip

DEFAULT_STEPS = {"account": [(5, 60), (10, 15 * 60)], "ip": [(20, 60), (50, 15 * 60)]}
# Failures are forgotten a day after the last one.
FAILURE_MEMORY = 24 * 3600


def _steps(scope: str) -> list[tuple[int, int]]:
    return getattr(settings, "LOGIN_LOCKOUT", DEFAULT_STEPS)[scope]


def _keys(scope: str, value: str) -> tuple[str, str]:
    digest = hashlib.sha256((value or "").strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{scope}:{digest}", f"login-lock:{scope}:{digest}"


def _subjects(request, email: str) -> list[tuple[str, str]]:
    subjects = [("ip", client_ip(request))]
    if email:
        subjects.append(("account", email))
    return subjects


def check_login_allowed(request, email: str) -> None:
    """Raise RateLimited (with the seconds left) while the account or the address is locked."""
    now = time.time()
    for scope, value in _subjects(request, email):
        until = cache.get(_keys(scope, value)[1])
        if until and until > now:
            raise RateLimited(max(1, math.ceil(until - now)))


def login_failed(request, email: str) -> None:
    """Count a failure; lock the account or the address when a step is reached."""
    now = time.time()
    for scope, value in _subjects(request, email):
        fail_key, lock_key = _keys(scope, value)
        if cache.add(fail_key, 1, timeout=FAILURE_MEMORY):
            count = 1
        else:
            try:
                count = cache.incr(fail_key)
            except ValueError:
                cache.add(fail_key, 1, timeout=FAILURE_MEMORY)
                count = 1
            cache.touch(fail_key, FAILURE_MEMORY)
        seconds = 0
        for threshold, duration in _steps(scope):
            if count >= threshold:
                seconds = duration
        if seconds:  # every failure past the first step locks again, for the step it reached
            cache.set(lock_key, now + seconds, timeout=seconds + 1)


def login_succeeded(request, email: str) -> None:
    """A right password while not locked: the account starts again from zero."""
    cache.delete_many(list(_keys("account", email)))
