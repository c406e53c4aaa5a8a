"""Staff pages: the ticket page (its POSTs are in staff_actions.py; the queue is in queue.py)."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .. import actions
from ..access import access_ticket_by_id
from ..forms import AssignForm, ReplyForm, ResolveForm, ScheduleForm, StatusForm, TicketFieldsForm
from ..lifecycle import staff_reply_target
from ..models import HIDDEN_KINDS, HelpdeskSettings
from ..selectors import (
    cti_options,
    list_history,
    list_messages_for_user,
    list_ticket_files,
    ticket_detail_qs,
)
from ._common import agent_required


@agent_required
def ticket_detail(request, pk):
    ticket = access_ticket_by_id(request.user, pk, ticket_detail_qs())
    actions.mark_ticket_seen(ticket=ticket, actor=request.user)  # its customer posts are read now
    return render(request, "tickets/ticket_detail.html", detail_context(request, ticket))


@agent_required
@require_GET
def ticket_history(request, pk):
    """The History tab of the ticket page, fetched (htmx) when it is first opened."""
    ticket = access_ticket_by_id(request.user, pk)
    return render(request, "tickets/includes/_history.html", {"history": list_history(ticket)})


@agent_required
@require_GET
def message_edit_forms(request, pk, message_id):
    """The edit and delete forms of one message, fetched (htmx) when its "Edit or delete" opens."""
    ticket = access_ticket_by_id(request.user, pk)
    message = get_object_or_404(list_messages_for_user(ticket, request.user), pk=message_id)
    context = {"ticket": ticket, "message": message, "staff_view": True}
    return render(request, "tickets/includes/_message_edit_forms.html", context)


def detail_context(request, ticket, **extra) -> dict:
    """The ticket page's context; the reply view reuses it to show a collision warning."""
    desk = HelpdeskSettings.load()
    tags = ", ".join(tag.name for tag in ticket.tags.all())
    context = {
        "ticket": ticket,
        "hidden": ticket.status.kind in HIDDEN_KINDS,
        "conversation": list_messages_for_user(ticket, request.user),
        "ticket_files": list_ticket_files(ticket),
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
    return {**context, **extra}
