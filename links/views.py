"""The links panel of the staff ticket page: its partials and its POSTs (each one action)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tickets.access import access_ticket_by_id
from tickets.errors import ActionRefused
from tickets.views._common import agent_required

from . import actions, selectors
from .forms import LinkForm, ResolveChildrenForm, UnlinkForm
from .templatetags.links import panel_context


def _back(ticket_id: int):
    return redirect(reverse("ticket_detail", args=[ticket_id]))


def _refuse_form(request, form, ticket_id: int):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back(ticket_id)


@require_GET
@agent_required
def links_panel(request, pk: int):
    """The panel alone, for htmx to refresh it in place."""
    ticket = access_ticket_by_id(request.user, pk)
    return render(request, "links/includes/_links_panel.html", panel_context(ticket, request.user))


@require_GET
@agent_required
def link_search(request, pk: int):
    """The picker's candidates: tickets the user can see, by number or words of the subject."""
    ticket = access_ticket_by_id(request.user, pk)
    q = request.GET.get("q", "")[:200]
    tickets = selectors.link_search(request.user, q, exclude=ticket)
    return render(request, "links/includes/_link_search_results.html", {"tickets": tickets, "q": q.strip()})


@require_POST
@agent_required
def link_add(request, pk: int):
    ticket = access_ticket_by_id(request.user, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, form, ticket.pk)
    target_id = form.cleaned_data["target"]
    try:
        target = selectors.find_link_target(request.user, target_id)
        if target is None:
            raise ActionRefused(f"There is no ticket #{target_id} you can see.", "invalid", "target")
        actions.link_tickets(actor=request.user, source=ticket, target=target, type=form.cleaned_data["type"])
    except ActionRefused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, f"Linked to #{target.pk}.")
    return _back(ticket.pk)


@require_POST
@agent_required
def link_remove(request, pk: int, target_id: int):
    ticket = access_ticket_by_id(request.user, pk)
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, form, ticket.pk)
    try:
        target = selectors.find_link_target(request.user, target_id)
        if target is None:
            raise ActionRefused("No such link.", "not_found")
        actions.unlink_tickets(
            actor=request.user, source=ticket, target=target, type=form.cleaned_data["type"]
        )
    except ActionRefused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, f"Link to #{target.pk} removed.")
    return _back(ticket.pk)


@require_POST
@agent_required
def resolve_children(request, pk: int):
    ticket = access_ticket_by_id(request.user, pk)
    form = ResolveChildrenForm(request.POST)
    if not form.is_valid():
        return _refuse_form(request, form, ticket.pk)
    try:
        count = actions.resolve_children(
            actor=request.user, parent=ticket, resolution_notes=form.cleaned_data["resolution_notes"]
        )
    except ActionRefused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, f"{count} child ticket{'s' if count != 1 else ''} resolved.")
    return _back(ticket.pk)
