"""The staff queue page: tabs, filter bar, sort, saved views, unread rows and bulk actions.

The page reads its rows with `tickets.queries.list_tickets`, exactly as the API list does,
and posts bulk changes to `bulk_change_tickets`, exactly as the API does.
"""

from functools import partial

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.models import Role

from .. import actions
from ..access import access_saved_view_by_id
from ..errors import ActionRefused
from ..models import Ticket
from ..queries import (
    QUEUE,
    SEARCH,
    VIEW,
    VIEW_PARAMS,
    last_value,
    list_tickets,
    rank_fallback,
    resolve_params,
)
from ..queue_rows import QueuePaginator, catalogue, load_ticket_rows
from ..queues import DEFAULT_QUEUE, QUEUES
from ..selectors import find_ticket_by_number
from ._common import agent_required, safe_next
from .queue_filters import PAGE_SIZES, bulk_options, filter_fields, page_size_of

ORDERING_LABELS = {
    "updated": "Last updated",
    "newest": "Newest",
    "oldest": "Oldest",
    "priority": "Priority (high first)",
    "sla": "SLA due (soonest first)",
}
PAGING = ("page", "page_size")


@agent_required
def ticket_list(request):
    user = request.user
    q = (request.GET.get(SEARCH) or "").strip()
    number = find_ticket_by_number(user, q) if q else None
    if number is not None:
        return redirect("ticket_detail", pk=number)  # a hidden number falls through to a word search
    params, view = resolve_params(user, request.GET)
    sees_all = user.has_perm("tickets.view_all")
    queue = queue_of(user, params, sees_all)
    error, page, page_size = None, None, page_size_of(request.GET.get("page_size"))
    choices = catalogue(user)  # the filter bar's lists, and the names the rows show
    try:
        qs = list_tickets(user, params, Ticket.objects.all(), default_queue=queue)
        paginator = QueuePaginator(
            qs,
            page_size,
            load_rows=partial(load_ticket_rows, user=user, lookups=choices["lookups"]),
            fallback_ordering=rank_fallback(params),
        )
        page = paginator.get_page(request.GET.get("page"))
    except ActionRefused as refused:
        error = refused  # shown at the filter bar: nothing is listed, nothing is a 500
    state = {key: [str(v) for v in values] for key, values in _lists(params).items()}
    context = {
        "page": page,
        "queue": queue,
        "queues": {key: label for key, label in QUEUES.items() if key != "all" or sees_all},
        "view": view,
        "error": error,
        "search_query": q,
        "fields": filter_fields(choices, state, error),
        "bulk": bulk_options(choices),
        "ordering": last_value(params, "ordering") or "",
        "orderings": ORDERING_LABELS,
        "page_size": page_size,
        "page_sizes": PAGE_SIZES,
        "queue_label": QUEUES[queue],
        "choices": choices,
        "page_query": _query(state, queue, page_size, drop=PAGING) + "&",
        "current_query": _query(state, queue, page_size, drop=PAGING),
        "can_share": user.role == Role.ADMIN,
    }
    return render(request, "tickets/ticket_list.html", context, status=400 if error else 200)


def queue_of(user, params, sees_all: bool) -> str:
    """The tab the parameters ask for (404 for one the user may not open); without a tab a search
    from the bar searches everything the user may see."""
    default = "all" if last_value(params, SEARCH) and sees_all else DEFAULT_QUEUE
    queue = last_value(params, QUEUE) or default
    if queue not in QUEUES or (queue == "all" and not sees_all):
        raise Http404("No such queue.")
    return queue


def _lists(params) -> dict[str, list]:
    if hasattr(params, "lists"):
        return dict(params.lists())
    return {key: value if isinstance(value, list) else [value] for key, value in params.items()}


def _query(state: dict, queue: str, page_size: int, drop=()) -> str:
    """The page's state as a query string (saved views come out spelled in full)."""
    pairs = [
        (key, v) for key, values in state.items() if key not in (*drop, VIEW, QUEUE) for v in values if v
    ]
    pairs.insert(0, (QUEUE, queue))
    if page_size != 25:
        pairs.append(("page_size", page_size))
    return urlencode(pairs)


def _back(request) -> str:
    return safe_next(request, request.POST.get("next")) or reverse("ticket_list")


@agent_required
@require_POST
def ticket_bulk(request):
    """Apply one action to the checked tickets; say how many changed and why others did not."""
    post = request.POST
    params = {key: post[key] for key in ("status", "assignee", "team") if post.get(key)}
    for key in ("add_tags", "remove_tags"):
        if post.get(key, "").strip():
            params[key] = post[key]
    try:
        result = actions.bulk_change_tickets(
            actor=request.user, ids=post.getlist("ids"), action=post.get("action", ""), **params
        )
    except ActionRefused as refused:
        messages.error(request, refused.reason)
        return redirect(_back(request))
    if result.succeeded:
        n = len(result.succeeded)
        messages.success(request, f"{n} ticket{'s' if n != 1 else ''} changed.")
    if result.failed:
        reasons = "; ".join(f"#{row['id']}: {row['reason']}" for row in result.failed[:20])
        more = f" (and {len(result.failed) - 20} more)" if len(result.failed) > 20 else ""
        n = len(result.failed)
        messages.error(request, f"{n} ticket{'s' if n != 1 else ''} not changed: {reasons}{more}")
    return redirect(_back(request))


@agent_required
@require_POST
def view_save(request):
    """Save the queue's current filters and sort (`query`) under a name."""
    state = QueryDict(request.POST.get("query", "")[:4000])
    filters = {key: values for key, values in state.lists() if key in VIEW_PARAMS and any(values)}
    try:
        view = actions.save_view(
            actor=request.user,
            name=request.POST.get("name", ""),
            filters=filters,
            ordering=state.get("ordering") or None,
            shared=request.POST.get("shared") == "on",
        )
    except ActionRefused as refused:
        messages.error(request, refused.reason)
        return redirect(f"{reverse('ticket_list')}?{state.urlencode()}")
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(f"{reverse('ticket_list')}?{urlencode({VIEW: view.pk})}")


@agent_required
@require_POST
def view_delete(request, pk):
    view = access_saved_view_by_id(request.user, pk)
    try:
        actions.delete_view(view=view, actor=request.user)
    except ActionRefused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, f"View “{view.name}” deleted.")
    return redirect("ticket_list")
