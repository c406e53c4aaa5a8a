"""Staff POSTs on one ticket: each parses its input and calls ONE action (SPEC §3, §4, §6)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from .. import actions
from ..forms import (
    AssignForm,
    MessageEditForm,
    ReplyForm,
    ResolveForm,
    ScheduleForm,
    StatusForm,
    TicketFieldsForm,
)
from ..selectors import list_messages_for_user
from ._common import agent_required, perform, post_message, refuse_form, ticket_post

staff_post = ticket_post(agent_required)


def _back(ticket) -> str:
    return reverse("ticket_detail", args=[ticket.pk])


@staff_post
def ticket_reply(request, ticket):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    data = form.cleaned_data
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


@staff_post
def ticket_update_fields(request, ticket):
    form = TicketFieldsForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request,
        _back(ticket),
        "Ticket updated.",
        actions.update_ticket_fields,
        ticket=ticket,
        **form.cleaned_data,
    )


@staff_post
def ticket_assign(request, ticket):
    form = AssignForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request, _back(ticket), "Assignment saved.", actions.assign_ticket, ticket=ticket, **form.cleaned_data
    )


@staff_post
def ticket_assign_to_me(request, ticket):
    return perform(request, _back(ticket), "The ticket is yours.", actions.assign_to_me, ticket=ticket)


@staff_post
def ticket_transition(request, ticket):
    form = StatusForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request,
        _back(ticket),
        "Status changed.",
        actions.transition_ticket,
        ticket=ticket,
        **form.cleaned_data,
    )


@staff_post
def ticket_resolve(request, ticket):
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request, _back(ticket), "Ticket resolved.", actions.resolve_ticket, ticket=ticket, **form.cleaned_data
    )


@staff_post
def ticket_schedule_closure(request, ticket):
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request,
        _back(ticket),
        "Closure scheduled.",
        actions.schedule_closure,
        ticket=ticket,
        **form.cleaned_data,
    )


@staff_post
def ticket_spam(request, ticket):
    return perform(request, _back(ticket), "Marked as spam.", actions.mark_spam, ticket=ticket)


@staff_post
def ticket_delete(request, ticket):
    return perform(request, _back(ticket), "Ticket deleted.", actions.delete_ticket, ticket=ticket)


@staff_post
def ticket_restore(request, ticket):
    return perform(request, _back(ticket), "Ticket restored.", actions.restore_ticket, ticket=ticket)


@staff_post
def ticket_schedule_deletion(request, ticket):
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request,
        _back(ticket),
        "Deletion scheduled.",
        actions.schedule_deletion,
        ticket=ticket,
        **form.cleaned_data,
    )


@staff_post
def ticket_message_edit(request, ticket, message_id):
    message = get_object_or_404(list_messages_for_user(ticket, request.user), pk=message_id)
    form = MessageEditForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return perform(
        request, _back(ticket), "Message changed.", actions.edit_message, message=message, **form.cleaned_data
    )


@staff_post
def ticket_message_delete(request, ticket, message_id):
    message = get_object_or_404(list_messages_for_user(ticket, request.user), pk=message_id)
    return perform(request, _back(ticket), "Message deleted.", actions.delete_message, message=message)
