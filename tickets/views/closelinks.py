"""The resolution notice's "It's fixed, close it" link: a confirmation page, then one POST.

No login: the signed link is the credential. GET only shows what the link will do (mail
scanners and link previews fetch links, and must not close tickets); the POST closes. The
token is in the URL, so these pages send no referrer and are not cached.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ..actions.closelinks import close_ticket_by_link
from ..closelinks import ticket_for_close_link
from ..errors import ActionRefused
from .guests import with_token_headers


def _refused(request, exc: ActionRefused):
    if exc.code == "not_found":
        raise Http404(exc.reason)  # a forged or mangled link: nothing to say about any ticket
    return render(request, "tickets/close_link_refused.html", {"reason": exc.reason}, status=410)


@require_http_methods(["GET", "POST"])
def close_link(request, token):
    try:
        if request.method == "POST":
            ticket = close_ticket_by_link(token=token)
        else:
            ticket = ticket_for_close_link(token)
    except ActionRefused as exc:
        return with_token_headers(_refused(request, exc))
    if request.method == "POST":
        messages.success(request, f"Ticket #{ticket.pk} is closed. Thank you for letting us know.")
        return with_token_headers(redirect("close_link_done"))
    response = render(request, "tickets/close_link_confirm.html", {"ticket": ticket, "token": token})
    return with_token_headers(response)


@require_GET
def close_link_done(request):
    return render(request, "tickets/close_link_done.html")
