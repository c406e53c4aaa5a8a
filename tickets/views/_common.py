"""What the ticket pages share: who may enter, and how a POST calls one action."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from attachments.uploadhandlers import uploaded_files

from .. import actions
from ..access import access_ticket_by_id
from ..errors import ActionRefused
from ..selectors import list_messages_for_user


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


def safe_next(request, url: str | None) -> str:
    """`url` if it stays on this site (a "next" or "back" given in the request), else ""."""
    url = url or ""
    allowed = url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure())
    return url if allowed else ""


def perform(request, back: str, success: str, action, **kwargs) -> HttpResponse:
    """Call one action as the user; show its refusal reason (never a 500), then go back."""
    try:
        action(actor=request.user, **kwargs)
    except ActionRefused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, success)
    return redirect(back)


def action_post(role_required, back, action, success: str, form_class=None, *, on_message: bool = False):
    """A view for a POST that calls one action on a ticket (or, `on_message`, on one of its
    messages the user sees): parse `form_class` if any, call `action` with its cleaned fields,
    flash `success` or the refusal, then go back to `back(ticket)`.

    Only what differs between such views is left to state: the action, the form and the message.
    """

    @ticket_post(role_required)
    def view(request, ticket, message_id=None):
        target = {"ticket": ticket}
        if on_message:  # a message of this ticket the user sees (404 otherwise)
            messages_seen = list_messages_for_user(ticket, request.user)
            target = {"message": get_object_or_404(messages_seen, pk=message_id)}
        fields = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                return refuse_form(request, form, back(ticket))
            fields = form.cleaned_data
        return perform(request, back(ticket), success, action, **target, **fields)

    return view


def refuse_form(request, form, back: str) -> HttpResponse:
    """Show why the submitted input was not understood, then go back; nothing is written."""
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect(back)


def post_message(request, back: str, success: str, *, ticket, **fields) -> HttpResponse:
    """Post a reply (or note) with its files: add_message saves both or neither, as in the API."""
    try:
        files = uploaded_files(request)
    except ActionRefused as exc:  # over the size limit: the upload was cut off
        messages.error(request, exc.reason)
        return redirect(back)
    return perform(request, back, success, actions.add_message, ticket=ticket, files=files, **fields)
