"""The benchmark's floor (bench/run.py): the cheapest Django view, routed only when BENCH_FLOOR=1."""

from django.http import HttpResponse

FLOOR_BODY = b"x" * 1024


def floor(request):
    """A fixed 1 KB response: what a request costs through gunicorn and Django with no work."""
    return HttpResponse(FLOOR_BODY, content_type="text/plain")
