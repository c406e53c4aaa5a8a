"""What the ticket pages share: who may enter, and how a POST calls one action."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from attachments.actions import attach_files
from attachments.uploadhandlers import uploaded_files

from .. import actions
from ..access import access_ticket_by_id
from ..errors import ActionRefused


def agent_required(view):
    """Staff pages: anonymous people log in first; customers get 404 (the page is not theirs)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_agent:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def customer_required(staff_page: str | None = None):
    """Portal pages: anonymous people log in first; staff are sent to their own page, or 404."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.is_agent:
                if staff_page and request.method == "GET":
                    return redirect(staff_page, *args, **kwargs)
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def ticket_post(role_required):
    """A POST on one ticket the user may see (404 otherwise); the view gets the ticket."""

    def decorator(view):
        @role_required
        @require_POST
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            ticket = access_ticket_by_id(request.user, pk)
            return view(request, ticket, *args, **kwargs)

        return wrapper

    return decorator


def perform(request, back: str, success: str, action, **kwargs) -> HttpResponse:
    """Call one action as the user; show its refusal reason (never a 500), then go back."""
    try:
        action(actor=request.user, **kwargs)
    except ActionRefused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, success)
    return redirect(back)


def refuse_form(request, form, back: str) -> HttpResponse:
    """Show why the submitted input was not understood, then go back; nothing is written."""
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect(back)


def post_message(request, back: str, success: str, *, ticket, **fields) -> HttpResponse:
    """Post a reply (or note) with its files: both are saved together or not at all, as in the API."""
    try:
        files = uploaded_files(request)
        with transaction.atomic():
            message = actions.add_message(ticket=ticket, actor=request.user, **fields)
            if files:
                attach_files(ticket=ticket, actor=request.user, files=files, message=message)
    except ActionRefused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, success)
    return redirect(back)
