"""Guests' pages (SPEC §8): the public form /submit, "send my links again", and the access page.

The access link's token travels in the URL of the page (as the email gives it) and in a
hidden field of each form on it: never in a cookie or the session. The link is the whole
credential, so nothing about it outlives the page; several links (several tickets) work side
by side in one browser; and a shared computer keeps no access once the tab is closed. Token
pages send `Referrer-Policy: same-origin` so a link clicked in the conversation does not carry
the token to another site, and `Cache-Control: no-store`. (Not `no-referrer`: browsers then send
`Origin: null` with the page's own form POSTs, which Django's CSRF check rightly refuses.)
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from attachments.access import access_attachment_by_id
from attachments.downloads import download_response
from attachments.uploadhandlers import uploaded_files

from .. import actions, ratelimit
from ..actions.guests import request_access_links, submit_guest_ticket
from ..errors import ActionRefused
from ..forms import CustomerReplyForm, GuestTicketForm, ResendLinksForm, SurveyForm
from ..guests import guest_request_limit, guest_ticket_for
from ..lifecycle import CLOSED_REPLY_REASON, reply_window_closed
from ..models import HelpdeskSettings
from ..ratelimit import RateLimited
from ..selectors import cti_options, list_messages_for_user, list_ticket_files, open_survey, ticket_detail_qs

TOKEN_PAGE_HEADERS = {
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store, private",
    "X-Robots-Tag": "noindex, nofollow",
}


def with_token_headers(response):
    """Mark a page whose URL holds a token: no referrer to other sites, no cache, no index."""
    for header, value in TOKEN_PAGE_HEADERS.items():
        response[header] = value
    return response


def too_many_requests(request, exc: RateLimited):
    response = render(request, "tickets/guest_refused.html", {"status": 429, "wait": exc.wait}, status=429)
    response["Retry-After"] = str(int(exc.wait))
    return response


def too_large(request):
    return render(request, "tickets/guest_refused.html", {"status": 413}, status=413)


def public_door(*limits, when_guests_enabled: bool = False):
    """Anonymous POST pages: 404 while guest submission is off (if asked), then 413 over the size
    cap and 429 past the per-address limits, all before any of the body is read; then CSRF.

    CSRF is checked inside (csrf_exempt outside, csrf_protect inside, as Django's docs advise
    for upload handling): the CSRF middleware would otherwise read the body first.
    """

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            desk = HelpdeskSettings.load()
            if when_guests_enabled and not desk.guest_submission_enabled:
                raise Http404("Guest submission is switched off.")
            if request.method == "POST":
                if ratelimit.request_too_large(request, guest_request_limit(desk)):
                    return too_large(request)
                try:
                    for limit in limits:
                        ratelimit.hit(limit, ratelimit.client_ip(request))
                except RateLimited as exc:
                    return too_many_requests(request, exc)
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


@public_door(ratelimit.SUBMIT_PER_IP, ratelimit.SUBMIT_PER_IP_HOUR, when_guests_enabled=True)
def guest_submit(request):
    """The public form: a ticket for the address given; the access link goes to that address."""
    desk = HelpdeskSettings.load()
    data = request.POST if request.method == "POST" else None
    form = GuestTicketForm(data, show_priority=desk.customer_sets_priority)
    if data is not None and form.is_robot():
        return redirect("guest_submit_done")  # look like success, write nothing
    if data is not None and form.is_valid():
        try:
            ratelimit.hit(ratelimit.SUBMIT_PER_ADDRESS, form.cleaned_data["email"])
        except RateLimited as exc:
            return too_many_requests(request, exc)
        try:
            files = uploaded_files(request)
            ticket = submit_guest_ticket(files=files, **form.action_kwargs())
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        else:
            messages.success(request, f"Your ticket number is #{ticket.number}.")
            return redirect("guest_submit_done")
    context = {
        "form": form,
        "cti": cti_options(form["category"].value(), form["type"].value()),
        "selected_item": form["item"].value(),
    }
    return render(request, "tickets/guest_ticket_form.html", context, status=400 if data is not None else 200)


@require_GET
def guest_submit_done(request):
    return render(request, "tickets/guest_submit_done.html")


@public_door(ratelimit.RESEND_PER_IP)
def guest_resend(request):
    """Mail fresh access links; the answer is the same whether the address has tickets or not."""
    data = request.POST if request.method == "POST" else None
    form = ResendLinksForm(data)
    sent = False
    if data is not None and form.is_valid():
        if not form.is_robot():
            try:
                ratelimit.hit(ratelimit.RESEND_PER_ADDRESS, form.cleaned_data["email"])
            except RateLimited as exc:
                return too_many_requests(request, exc)
            request_access_links(email=form.cleaned_data["email"])
        sent, form = True, ResendLinksForm()
    status = 400 if data is not None and not sent else 200
    return render(request, "tickets/guest_resend.html", {"form": form, "sent": sent}, status=status)


def guest_page(view):
    """A page or POST of the ticket a token opens: 404 for a bad token (counted against the
    address: 429 once it keeps failing), 413 for an oversized POST; token headers on the answer."""

    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if request.method == "POST":
            if ratelimit.request_too_large(request, guest_request_limit(HelpdeskSettings.load())):
                return too_large(request)
            try:  # refuse an address that keeps failing before reading its body
                ratelimit.check(ratelimit.TOKEN_FAILURES_PER_IP, ratelimit.client_ip(request))
            except RateLimited as exc:
                return too_many_requests(request, exc)
        return with_token_headers(protected(request, pk, *args, **kwargs))

    return wrapper


def with_ticket(view):
    """Resolve the token of the request (query string on GET, hidden field on POST) to its ticket."""

    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        token = (request.POST if request.method == "POST" else request.GET).get("token", "")
        try:
            ticket = guest_ticket_for(request, pk, token, ticket_detail_qs())
        except RateLimited as exc:
            return too_many_requests(request, exc)
        return view(request, ticket, token, *args, **kwargs)

    return wrapper


def _page_url(ticket, token: str) -> str:
    return f"{reverse('guest_ticket', args=[ticket.pk])}?{urlencode({'token': token})}"


@require_GET
@guest_page
@with_ticket
def guest_ticket(request, ticket, token):
    """The ticket as its requester sees it: public conversation, files, reply, survey."""
    desk = HelpdeskSettings.load()
    reply_closed = reply_window_closed(ticket, desk, timezone.now())
    context = {
        "ticket": ticket,
        "guest_token": token,
        "conversation": list(list_messages_for_user(ticket, ticket.requester)),
        "ticket_files": list_ticket_files(ticket),
        "editable": set(),
        "reply_closed": reply_closed,
        "reply_closed_reason": CLOSED_REPLY_REASON,
        "reply_form": None if reply_closed else CustomerReplyForm(auto_id="reply_%s"),
        "reopen_window_ends": ticket.reopen_window_ends(desk),
        "survey": open_survey(ticket),
        "survey_form": SurveyForm(auto_id="survey_%s"),
    }
    return render(request, "tickets/guest_ticket.html", context)


@require_POST
@guest_page
@with_ticket
def guest_reply(request, ticket, token):
    """Reply as the requester (files too); a reply inside the window reopens a resolved ticket."""
    back = _page_url(ticket, token)
    form = CustomerReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a reply first.")
        return redirect(back)
    try:
        files = uploaded_files(request)
        body = form.cleaned_data["body"]
        actions.add_message(ticket=ticket, actor=ticket.requester, body=body, files=files)
    except ActionRefused as exc:
        messages.error(request, exc.reason)
    else:
        messages.success(request, "Reply sent.")
    return redirect(back)


@require_POST
@guest_page
@with_ticket
def guest_survey(request, ticket, token):
    form = SurveyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a rating from 1 to 5.")
    else:
        try:
            actions.answer_survey(ticket=ticket, actor=ticket.requester, **form.cleaned_data)
        except ActionRefused as exc:
            messages.error(request, exc.reason)
        else:
            messages.success(request, "Thank you for your feedback.")
    return redirect(_page_url(ticket, token))


@require_GET
@guest_page
@with_ticket
def guest_attachment(request, ticket, token, attachment_id):
    """A file of the ticket, as its requester may see it (never one of an internal note)."""
    return download_response(access_attachment_by_id(None, attachment_id, guest_ticket=ticket))
