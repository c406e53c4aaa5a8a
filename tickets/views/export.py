"""CSV export of the queue page: the same tab, filters, saved view and sort as the page shows."""

from django.http import HttpResponse

from ..errors import ActionRefused
from ..export import csv_response, export_tickets_qs
from ..queries import resolve_params
from ._common import agent_required
from .queue import queue_of


@agent_required
def ticket_export(request):
    """Stream the queue's tickets as CSV; a refused filter answers 400 with the reason."""
    user = request.user
    params, _view = resolve_params(user, request.GET)
    queue = queue_of(user, params, user.has_perm("tickets.view_all"))  # as the page does
    try:
        qs = export_tickets_qs(user, params, queue)
    except ActionRefused as refused:
        field = f"{refused.field}: " if refused.field else ""
        return HttpResponse(f"{field}{refused.reason}", status=400, content_type="text/plain; charset=utf-8")
    return csv_response(qs, f"tickets-{queue}")
