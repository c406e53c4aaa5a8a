"""The answer to an error nothing caught: 503 while PostgreSQL or Redis is away, 500 otherwise.

Django calls `server_error` (handler500 in helpdesk/urls.py) inside the `except` block of the
uncaught exception, so the exception is at hand. An outage gets "503 Service Unavailable"
with `Retry-After`, in JSON under /api/ and as a plain page elsewhere; the app reconnects by
itself once the service is back (CONN_HEALTH_CHECKS, redis-py and kombu reconnect). Both
templates are rendered without the request, so they touch neither the database nor the cache.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, BrokerError)
RETRY_AFTER_SECONDS = 5


def server_error(request):
    outage = isinstance(sys.exception(), OUTAGE_ERRORS)
    api = request.path.startswith("/api/")
    if outage:
        message = "The service is unavailable for a moment. Please try again."
        if api:
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)
