"""Pages of issue 11: the staff away flag, merging a ticket, and the portal's follow-up of a closed ticket."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import access_ticket_by_id
from ..actions.followup import create_follow_up
from ..actions.merge import merge_tickets
from ..actions.routing import set_away
from ..errors import ActionRefused
from ..models import Ticket
from ._common import agent_required, customer_required, perform, safe_next, ticket_post


@agent_required
@require_POST
def staff_away(request):
    """Mark oneself away (no automatic assignments) or back, then return to the page."""
    back = safe_next(request, request.POST.get("next")) or reverse("ticket_list")
    away = request.POST.get("away") == "1"
    return perform(request, back, "You are away." if away else "You are back.", set_away, away=away)


@ticket_post(agent_required)
def ticket_merge(request, ticket):
    """Merge this ticket into the one numbered `target`; across requesters, ask to confirm first."""
    back = reverse("ticket_detail", args=[ticket.pk])
    raw = request.POST.get("target", "").strip().lstrip("#")
    if not raw.isdigit():
        messages.error(request, "Give the number of the ticket to merge into.")
        return redirect(back)
    target = Ticket.objects.filter(pk=int(raw)).first() or Ticket(pk=int(raw))
    try:
        target = merge_tickets(
            actor=request.user,
            source=ticket,
            target=target,
            confirm_cross_customer=request.POST.get("confirm") == "1",
        )
    except ActionRefused as exc:
        if exc.code == "conflict":
            context = {"ticket": ticket, "target": int(raw), "reason": exc.reason}
            return render(request, "tickets/merge_confirm.html", context, status=409)
        messages.error(request, exc.reason)
        return redirect(back)
    messages.success(request, f"Merged #{ticket.pk} into #{target.pk}.")
    return redirect(reverse("ticket_detail", args=[target.pk]))


class FollowUpForm(forms.Form):
    subject = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=60_000)


@customer_required()
def portal_follow_up(request, pk):
    """A closed ticket's "Open a follow-up": a new ticket form pre-filled from it, linked on submit."""
    closed = access_ticket_by_id(request.user, pk)
    form = FollowUpForm(
        request.POST or None,
        initial={"subject": f"Follow-up to #{closed.pk}: {closed.subject}"[:255]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            ticket = create_follow_up(actor=request.user, closed=closed, **form.cleaned_data)
        except ActionRefused as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, f"Follow-up #{ticket.pk} opened, linked to #{closed.pk}.")
            return redirect(reverse("portal_ticket", args=[ticket.pk]))
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/follow_up_form.html", {"closed": closed, "form": form}, status=status)
