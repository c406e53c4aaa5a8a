"""API plumbing shared by every app: pagination and the mapping of refused actions."""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.errors import ActionRefused

CODES = {
    "forbidden": status.HTTP_403_FORBIDDEN,
    "conflict": status.HTTP_409_CONFLICT,
    "invalid": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "gone": status.HTTP_410_GONE,
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
}


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc, context):
    """Turn a refused domain action into 400/403/404/409 with a readable message."""
    if isinstance(exc, ActionRefused):
        code = CODES.get(exc.code, status.HTTP_409_CONFLICT)
        body = {exc.field: [exc.reason]} if exc.field and exc.code == "invalid" else {"detail": exc.reason}
        return Response(body, status=code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and response.status_code == 403
        and isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed)
    ):
        response.status_code = 401
    return response
