"""Purge now (admins): the Spam and Deleted queues' button, a count to confirm, then the purge."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Role

from ..actions.retention import purge_hidden_tickets
from ..errors import ActionRefused
from ..retention import PURGEABLE_KINDS, count_hidden_tickets
from ._common import agent_required


@agent_required
@require_http_methods(["GET", "POST"])
def purge_hidden(request, kind):
    """GET shows how many tickets will go; POST purges them (admins only: 403 for staff)."""
    if kind not in PURGEABLE_KINDS:
        raise Http404("No such queue.")
    if request.user.role != Role.ADMIN:
        raise PermissionDenied("Purging is for admins only.")
    back = f"{reverse('ticket_list')}?queue={kind}"
    if request.method == "POST":
        try:
            purged = purge_hidden_tickets(actor=request.user, kind=kind)
        except ActionRefused as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, f"{purged} {kind} ticket{'s' if purged != 1 else ''} purged for good.")
        return redirect(back)
    context = {"kind": kind, "count": count_hidden_tickets(kind), "back": back}
    return render(request, "tickets/ticket_purge_confirm.html", context)
