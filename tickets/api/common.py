"""What every API view shares: routing of operations, role checks, parsing, rendering."""

from django.db.models import prefetch_related_objects
from rest_framework import permissions
from rest_framework.response import Response

from accounts.models import Role
from helpdesk.api import Pagination

from ..access import access_ticket_by_id
from ..lifecycle import require_agent
from ..models import Ticket
from ..selectors import get_ticket_detail, ticket_detail_qs


class IsAgent(permissions.BasePermission):
    """Staff and admins (for endpoints that are not about one ticket)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_agent)


class IsAdmin(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.role == Role.ADMIN)


def route(*views):
    """One URL for several operations: each `<Entity><Action>Api` keeps its own permissions.

    DRF maps a path to one view class, so the operations of a path are combined into a class
    that dispatches by method and asks the operation's own permission classes.
    """
    by_method = {m: v for v in views for m in v.http_method_names if m != "options" and m in v.__dict__}

    def get_permissions(self):
        view = by_method.get(self.request.method.lower())
        classes = view.permission_classes if view else self.permission_classes
        return [permission() for permission in classes]

    if len(views) == 1:
        return views[0].as_view()
    name = "".join(v.__name__.removesuffix("Api") for v in views) + "Route"
    return type(name, views, {"get_permissions": get_permissions, "__doc__": views[0].__doc__}).as_view()


def ticket_for(user, ticket_id, *, detail: bool = False) -> Ticket:
    """The ticket if `user` may see it (with all it renders when `detail`); 404 otherwise."""
    return access_ticket_by_id(user, ticket_id, qs=ticket_detail_qs() if detail else None)


def staff_ticket_for(user, ticket_id) -> Ticket:
    """A ticket for a staff operation: 404 when hidden from the caller, then 403 for customers."""
    ticket = ticket_for(user, ticket_id)
    require_agent(user, "This action")
    return ticket


def parse(serializer_class, request, **kwargs) -> dict:
    """Validate the request body with an input serializer; 400 naming the fields otherwise."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def ticket_response(request, ticket: Ticket, status: int = 200) -> Response:
    """Render the ticket as it is after an action, read again with its relations."""
    from .serializers import TicketSerializer

    fresh = get_ticket_detail(ticket.pk)
    return Response(TicketSerializer(fresh, context={"request": request}).data, status=status)


def created_ticket_response(request, ticket: Ticket) -> Response:
    """Render a ticket the caller has just created (201).

    The creating action's own instance already holds every row it wrote and joined (requester,
    status, priority, category, team, assignee): only tags and participants are read, not the
    whole ticket again. Nothing else can have changed a ticket between its INSERT and the
    commit that made it visible.
    """
    from .serializers import TicketSerializer

    prefetch_related_objects([ticket], "tags", "participants")
    return Response(TicketSerializer(ticket, context={"request": request}).data, status=201)


def paginated(view, request, qs, serializer_class, pagination_class=Pagination) -> Response:
    paginator = pagination_class()
    page = paginator.paginate_queryset(qs, request, view=view)
    data = serializer_class(page, many=True, context={"request": request}).data
    return paginator.get_paginated_response(data)
