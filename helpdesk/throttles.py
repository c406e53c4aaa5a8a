"""API rate limits per caller: per user (token or session) when logged in, per address when not.

Counted in the cache with the fixed windows of `tickets.ratelimit`, so every process shares
them. The rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("user", "anon"), read on each
request so a test can lower them with override_settings. Over the limit, DRF answers 429 with
Retry-After.
"""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from tickets import ratelimit

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' → (600, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


class _CacheRateThrottle(BaseThrottle):
    scope = ""

    def key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        key = self.key(request)
        rate = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)
        if key is None or not rate:
            return True
        count, period = parse_rate(rate)
        try:
            ratelimit.hit(ratelimit.Limit(f"api-{self.scope}", count, period), key)
        except ratelimit.RateLimited as exc:
            self._wait = exc.wait
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", None)


class UserRateThrottle(_CacheRateThrottle):
    """Per logged-in user, whether by token or by session."""

    scope = "user"

    def key(self, request):
        user = request.user
        return f"user:{user.pk}" if user and user.is_authenticated else None


class AnonRateThrottle(_CacheRateThrottle):
    """Per client address, for callers not logged in."""

    scope = "anon"

    def key(self, request):
        user = request.user
        return None if user and user.is_authenticated else f"ip:{ratelimit.client_ip(request)}"
