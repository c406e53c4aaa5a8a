"""Staff POSTs on one ticket: each parses its input and calls ONE action (SPEC §3, §4, §6).

Most differ only in the action, the form and the message shown; `action_post` does the rest.
"""

from functools import partial

from django.shortcuts import render
from django.urls import reverse

from .. import actions
from ..access import access_ticket_by_id
from ..collision import changes_since, parse_loaded_at
from ..forms import (
    AssignForm,
    MessageEditForm,
    ReplyForm,
    ResolveForm,
    ScheduleForm,
    StatusForm,
    TicketFieldsForm,
)
from ..selectors import ticket_detail_qs
from ._common import action_post, agent_required, post_message, refuse_form, ticket_post
from .staff import detail_context

staff_post = ticket_post(agent_required)


def _back(ticket) -> str:
    return reverse("ticket_detail", args=[ticket.pk])


def _collision(request, ticket) -> list:
    """What others did since the form's `loaded_at`, unless the user confirmed sending anyway."""
    loaded_at = parse_loaded_at(request.POST.get("loaded_at"))
    if loaded_at is None or request.POST.get("confirm") == "1":
        return []
    return changes_since(ticket, request.user, loaded_at)


@staff_post
def ticket_reply(request, ticket):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    data = form.cleaned_data
    collision = _collision(request, ticket)
    if collision:
        # Someone else replied or changed the ticket since the page was loaded: show what, keep
        # the text, and let the user send anyway (confirm=1) after reading it. Nothing is written.
        form.auto_id = "reply_%s"
        page = access_ticket_by_id(request.user, ticket.pk, ticket_detail_qs())
        context = detail_context(request, page, reply_form=form, collision=collision)
        return render(request, "tickets/ticket_detail.html", context)
    success = "Internal note added." if data["internal"] else "Reply sent."
    return post_message(
        request,
        _back(ticket),
        success,
        ticket=ticket,
        body=data["body"],
        internal=data["internal"],
        status=data["status"],
    )


_staff_action = partial(action_post, agent_required, _back)
ticket_update_fields = _staff_action(actions.update_ticket_fields, "Ticket updated.", TicketFieldsForm)
ticket_assign = _staff_action(actions.assign_ticket, "Assignment saved.", AssignForm)
ticket_assign_to_me = _staff_action(actions.assign_to_me, "The ticket is yours.")
ticket_transition = _staff_action(actions.transition_ticket, "Status changed.", StatusForm)
ticket_resolve = _staff_action(actions.resolve_ticket, "Ticket resolved.", ResolveForm)
ticket_schedule_closure = _staff_action(actions.schedule_closure, "Closure scheduled.", ScheduleForm)
ticket_spam = _staff_action(actions.mark_spam, "Marked as spam.")
ticket_delete = _staff_action(actions.delete_ticket, "Ticket deleted.")
ticket_restore = _staff_action(actions.restore_ticket, "Ticket restored.")
ticket_schedule_deletion = _staff_action(actions.schedule_deletion, "Deletion scheduled.", ScheduleForm)
ticket_message_edit = _staff_action(
    actions.edit_message, "Message changed.", MessageEditForm, on_message=True
)
ticket_message_delete = _staff_action(actions.delete_message, "Message deleted.", on_message=True)
