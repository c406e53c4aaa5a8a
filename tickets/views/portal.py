"""The customer portal: my tickets, a ticket's public conversation, and what a requester may do."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRefresh

from .. import actions
from ..access import access_ticket_by_id
from ..actions.invites import INVITE_ENDED_KINDS
from ..errors import ActionRefused
from ..forms import CustomerReplyForm, MessageEditForm, SurveyForm
from ..lifecycle import (
    CLOSED_REPLY_REASON,
    check_close_now,
    check_edit_message,
    check_favorite,
    check_request_closure,
    reply_window_closed,
)
from ..models import HelpdeskSettings, StatusKind
from ..selectors import (
    is_favorite,
    list_messages_for_user,
    list_portal_tickets_for_user,
    list_ticket_files,
    open_survey,
    ticket_detail_qs,
)
from ._common import action_post, customer_required, perform, post_message, refuse_form, ticket_post

PAGE_SIZE = 25
TABS = {"open": "Open", "closed": "Closed", "favorites": "Favourites"}

portal_post = ticket_post(customer_required())


def _back(ticket) -> str:
    return reverse("portal_ticket", args=[ticket.pk])


def _allowed(check, *args) -> bool:
    try:
        check(*args)
    except ActionRefused:
        return False
    return True


@customer_required("ticket_list")
def portal_home(request):
    tab = request.GET.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    q = request.GET.get("q", "").strip()[:200]
    tickets = list_portal_tickets_for_user(request.user, tab, q)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tab": tab,
        "tabs": TABS,
        "tab_label": TABS[tab],
        "q": q,
        "page_query": urlencode({"tab": tab, "q": q}) + "&",
    }
    return render(request, "tickets/ticket_portal_list.html", context)


@customer_required("ticket_detail")
def portal_ticket(request, pk):
    ticket = access_ticket_by_id(request.user, pk, ticket_detail_qs())
    desk = HelpdeskSettings.load()
    now = timezone.now()
    conversation = list(list_messages_for_user(ticket, request.user))
    editable = {m.pk for m in conversation if _allowed(check_edit_message, m, request.user, desk, now)}
    reply_closed = reply_window_closed(ticket, desk, now)
    survey = open_survey(ticket)
    favorite = is_favorite(ticket, request.user)
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "ticket_files": list_ticket_files(ticket),
        "editable": editable,
        "reply_closed": reply_closed,
        "reply_closed_reason": CLOSED_REPLY_REASON,
        "reply_form": None if reply_closed else _reply_form(focus=bool(request.GET.get("still_broken"))),
        "reopen_window_ends": ticket.reopen_window_ends(desk),
        "can_request_closure": _allowed(check_request_closure, ticket, request.user, desk, now),
        "can_close_now": _allowed(check_close_now, ticket, request.user, desk, now),
        # Resolved, inside the window: "It's fixed, close it" or "Still broken" (the notice's choice).
        "fixed_choice": ticket.status.kind == StatusKind.RESOLVED and not reply_closed,
        "is_favorite": favorite,
        "can_favorite": favorite or _allowed(check_favorite, ticket, request.user),
        "survey": survey if survey and ticket.requester_id == request.user.pk else None,
        "can_invite": ticket.requester_id == request.user.pk and ticket.status.kind not in INVITE_ENDED_KINDS,
    }
    return render(request, "tickets/ticket_portal_detail.html", context)


def _reply_form(*, focus: bool) -> CustomerReplyForm:
    form = CustomerReplyForm(auto_id="reply_%s")
    if focus:  # "Still broken": straight to typing what still goes wrong
        form.fields["body"].widget.attrs["autofocus"] = True
    return form


@portal_post
def portal_reply(request, ticket):
    form = CustomerReplyForm(request.POST)
    if not form.is_valid():
        return refuse_form(request, form, _back(ticket))
    return post_message(request, _back(ticket), "Reply sent.", ticket=ticket, body=form.cleaned_data["body"])


_portal_action = partial(action_post, customer_required(), _back)
portal_request_closure = _portal_action(actions.request_closure, "We have your request to close this ticket.")
portal_close = _portal_action(actions.close_ticket, "Ticket closed.")


@portal_post
def portal_favorite(request, ticket):
    """Star or unstar; over htmx only the star is swapped."""
    favorite = request.POST.get("favorite") == "1"
    action = actions.add_favorite if favorite else actions.remove_favorite
    if not request.htmx:
        success = "Added to your favourites." if favorite else "Removed from your favourites."
        return perform(request, _back(ticket), success, action, ticket=ticket)
    try:
        action(ticket=ticket, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.reason)
        return HttpResponseClientRefresh()
    return render(request, "tickets/includes/_favorite.html", {"ticket": ticket, "is_favorite": favorite})


portal_message_edit = _portal_action(actions.edit_message, "Reply changed.", MessageEditForm, on_message=True)
portal_message_delete = _portal_action(actions.delete_message, "Reply deleted.", on_message=True)


@customer_required()
def portal_survey(request, pk):
    ticket = access_ticket_by_id(request.user, pk)
    if open_survey(ticket) is None:
        raise Http404("No open survey.")
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_survey(ticket=ticket, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.reason)
        else:
            messages.success(request, "Thank you for your feedback.")
            return redirect(_back(ticket))
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/survey_form.html", {"ticket": ticket, "form": form}, status=status)
