"""Middleware for the benchmark suite (bench/run.py), installed only by environment variables."""

from django.db import connection


class QueryCountMiddleware:
    """Add `X-Query-Count`: the SQL queries the request ran (BENCH_COUNT_QUERIES=1 only).

    Counts with an execute wrapper, so it works with DEBUG off and keeps no query text.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
