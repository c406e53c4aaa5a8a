"""Staff POSTs on one ticket: each parses its input and calls ONE action (SPEC §3, §4, §6)."""

from django.shortcuts import get_object_or_404, render
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
from ..selectors import list_messages_for_user, ticket_detail_qs
from ._common import agent_required, perform, post_message, refuse_form, ticket_post
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
