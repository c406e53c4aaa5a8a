"""Participants: invite links (made on the portal, opened by a colleague) and staff removing people."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts.models import User

from ..actions.customer import remove_participant
from ..actions.invites import accept_invite, already_joined, create_invite, find_invite, invite_problem
from ..errors import ActionRefused
from ..guests import guarded, invite_url
from ..ratelimit import RateLimited
from ._common import agent_required, customer_required, perform, ticket_post
from .guests import too_many_requests, with_token_headers


@ticket_post(customer_required())
def portal_invite_create(request, ticket):
    """Make an invite link and show it this once (only its hash is kept)."""
    try:
        invite, token = create_invite(ticket=ticket, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.reason)
        return redirect("portal_ticket", pk=ticket.pk)
    context = {"ticket": ticket, "url": invite_url(token), "expires_at": invite.expires_at}
    response = render(request, "tickets/invite_created.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


def _invite_or_404(token):
    try:
        return find_invite(token)
    except ActionRefused:
        raise Http404("No such invite.")


def _invite_response(request, context: dict, status: int = 200):
    return with_token_headers(render(request, "tickets/invite_accept.html", context, status=status))


@require_http_methods(["GET", "POST"])
def invite_page(request, token):
    """Open an invite link: customers join with one click; others log in or register first."""
    try:
        invite = guarded(request, lambda: _invite_or_404(token))
    except RateLimited as exc:
        return too_many_requests(request, exc)
    here = request.path
    context = {
        "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
        "register_url": f"{reverse('register')}?{urlencode({'next': here})}",
    }
    user = request.user
    if not user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(here)
        return _invite_response(request, {**context, "state": "anonymous"})
    if not user.is_customer:
        return _invite_response(request, {**context, "state": "staff"}, status=403)
    if request.method == "POST":
        try:
            ticket = accept_invite(token=token, actor=user)
        except ActionRefused as exc:
            status = 410 if exc.code == "gone" else 404
            return _invite_response(
                request, {**context, "state": "gone", "reason": exc.reason}, status=status
            )
        messages.success(request, f"You have joined ticket #{ticket.number}.")
        return redirect("portal_ticket", pk=ticket.pk)
    ticket = invite.ticket
    joined = already_joined(ticket, user)
    problem = None if joined else invite_problem(invite, ticket, timezone.now())
    if problem:
        return _invite_response(request, {**context, "state": "gone", "reason": problem}, status=410)
    return _invite_response(request, {**context, "state": "ready", "ticket": ticket, "joined": joined})


@ticket_post(agent_required)
def ticket_participant_remove(request, ticket, user_id):
    person = get_object_or_404(User, pk=user_id)
    return perform(
        request,
        reverse("ticket_detail", args=[ticket.pk]),
        f"{person} no longer takes part in this ticket.",
        remove_participant,
        ticket=ticket,
        user=person,
    )
