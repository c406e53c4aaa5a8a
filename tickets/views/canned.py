"""Canned replies on the staff ticket page: fill one in for the reply box, or apply it at once."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from attachments.uploadhandlers import uploaded_files

from .. import actions
from ..access import access_ticket_by_id
from ..canned import access_canned_reply_by_id, render_canned_body
from ..errors import ActionRefused
from ._common import agent_required, ticket_post
from .staff_actions import _back


@agent_required
@require_GET
def canned_reply_text(request, pk, canned_id):
    """The canned reply filled in for this ticket, for the reply box (static/js/app.js)."""
    ticket = access_ticket_by_id(request.user, pk)
    canned = access_canned_reply_by_id(request.user, canned_id)
    return JsonResponse(
        {
            "id": canned.pk,
            "title": canned.title,
            "body": render_canned_body(canned.body, ticket, request.user),
            "set_status": canned.set_status and canned.set_status.name,
            "set_priority": canned.set_priority and canned.set_priority.name,
            "add_tags": canned.add_tags,
        }
    )


@ticket_post(agent_required)
def ticket_apply_canned(request, ticket):
    """Send the reply box's text (or the canned body) and make the canned reply's changes."""
    canned = access_canned_reply_by_id(request.user, request.POST.get("canned_reply"))
    try:
        actions.apply_canned_reply(
            ticket=ticket,
            actor=request.user,
            canned_reply=canned,
            body=request.POST.get("body", ""),
            internal=request.POST.get("internal") == "on",
            files=uploaded_files(request),  # saved with the reply or not at all
        )
    except ActionRefused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, f"Canned reply “{canned.title}” applied.")
    return redirect(_back(ticket))
