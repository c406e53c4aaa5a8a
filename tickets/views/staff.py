"""Staff pages: the queue and the ticket page (its POSTs are in staff_actions.py)."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from ..access import access_ticket_by_id
from ..forms import AssignForm, ReplyForm, ResolveForm, ScheduleForm, StatusForm, TicketFieldsForm
from ..lifecycle import staff_reply_target
from ..models import HIDDEN_KINDS, HelpdeskSettings
from ..selectors import (
    STAFF_QUEUES,
    cti_options,
    find_ticket_by_number,
    list_history,
    list_messages_for_user,
    list_queue_for_user,
    list_ticket_files,
    ticket_detail_qs,
)
from ._common import agent_required

PAGE_SIZE = 25


@agent_required
def ticket_list(request):
    queue = request.GET.get("queue", "all")
    if queue not in STAFF_QUEUES:
        queue = "all"
    q = request.GET.get("q", "").strip()
    number = find_ticket_by_number(request.user, q) if q else None
    if number is not None:
        return redirect("ticket_detail", pk=number)
    page = Paginator(list_queue_for_user(request.user, queue, q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {
            "page": page,
            "queue": queue,
            "queues": STAFF_QUEUES,
            "search_query": q,
            "page_query": urlencode({"queue": queue, "q": q}) + "&",
        },
    )


@agent_required
def ticket_detail(request, pk):
    ticket = access_ticket_by_id(request.user, pk, ticket_detail_qs())
    desk = HelpdeskSettings.load()
    tags = ", ".join(tag.name for tag in ticket.tags.all())
    context = {
        "ticket": ticket,
        "hidden": ticket.status.kind in HIDDEN_KINDS,
        "conversation": list_messages_for_user(ticket, request.user),
        "ticket_files": list_ticket_files(ticket),
        "history": list_history(ticket),
        "reply_form": ReplyForm(auto_id="reply_%s", default_status=staff_reply_target(ticket, desk)),
        "fields_form": TicketFieldsForm(
            initial={
                "subject": ticket.subject,
                "priority": ticket.priority_id,
                "category": ticket.category_id,
                "type": ticket.type_id,
                "item": ticket.item_id,
                "tags": tags,
            }
        ),
        "cti": cti_options(ticket.category_id, ticket.type_id),
        "assign_form": AssignForm(
            auto_id="assign_%s", initial={"assignee": ticket.assignee_id, "team": ticket.team_id}
        ),
        "status_form": StatusForm(auto_id="status_%s", initial={"status": ticket.status_id}),
        "resolve_form": ResolveForm(
            auto_id="resolve_%s", initial={"resolution_notes": ticket.resolution_notes}
        ),
        "closure_form": ScheduleForm(auto_id="closure_%s"),
        "deletion_form": ScheduleForm(auto_id="deletion_%s"),
    }
    return render(request, "tickets/ticket_detail.html", context)
