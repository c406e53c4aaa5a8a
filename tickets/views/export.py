"""CSV export of the queue page: the same tab, filters, saved view and sort as the page shows."""

from django.http import Http404, HttpResponse

from ..errors import ActionRefused
from ..export import csv_response, export_tickets_qs
from ..queries import QUEUE, SEARCH, last_value, resolve_params
from ..queues import DEFAULT_QUEUE, QUEUES
from ._common import agent_required


@agent_required
def ticket_export(request):
    """Stream the queue's tickets as CSV; a refused filter answers 400 with the reason."""
    user = request.user
    params, _view = resolve_params(user, request.GET)
    sees_all = user.has_perm("tickets.view_all")
    default = "all" if last_value(params, SEARCH) and sees_all else DEFAULT_QUEUE  # as the page does
    queue = last_value(params, QUEUE) or default
    if queue not in QUEUES or (queue == "all" and not sees_all):
        raise Http404("No such queue.")
    try:
        qs = export_tickets_qs(user, params, queue)
    except ActionRefused as refused:
        field = f"{refused.field}: " if refused.field else ""
        return HttpResponse(f"{field}{refused.reason}", status=400, content_type="text/plain; charset=utf-8")
    return csv_response(qs, f"tickets-{queue}")
