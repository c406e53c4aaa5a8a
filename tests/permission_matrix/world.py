"""The matrix's data: dave's ticket with everything around it, once per ticket state, built
through the actions (`build_world`), and the view of it one state's rows see (`in_state`)."""

from datetime import timedelta
from types import SimpleNamespace

import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signing import dumps
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role
from attachments.actions import attach_files
from links.actions import link_tickets
from tests.conftest import ensure_seeded, make_people
from tests.factories import make_ticket, make_user
from tickets.actions import (
    add_message,
    close_ticket,
    delete_ticket,
    mark_spam,
    resolve_ticket,
    transition_ticket,
)
from tickets.actions.canned import save_canned_reply
from tickets.actions.customer import add_participant
from tickets.actions.guests import issue_access_token, submit_guest_ticket
from tickets.actions.invites import create_invite
from tickets.actions.saved_views import save_view
from tickets.lifecycle import status_of_kind
from tickets.models import HelpdeskSettings, Status, StatusKind

# The ticket states whose answers differ (SPEC §3). "resolved_late" is resolved with its reopen
# window over but not yet closed by the hourly job: the window, not the job, decides.
STATES = ("new", "working", "pending", "resolved", "resolved_late", "closed", "spam", "deleted")


def _file(name: str, content: bytes = b"log") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def _ticket_set(people, frank, subject: str) -> SimpleNamespace:
    """dave's ticket with frank copied in, dave's reply, a file and an invite; a guest's ticket."""
    ticket = make_ticket(people.dave, people.category, subject=subject)
    add_participant(ticket=ticket, actor=people.dave, user=frank)
    message = add_message(ticket=ticket, actor=people.dave, body="More details")
    attachment = attach_files(ticket=ticket, actor=people.dave, files=[_file("log.txt")])[0]
    _invite, invite_token = create_invite(ticket=ticket, actor=people.dave)
    guest_ticket = submit_guest_ticket(
        email=f"gina-{ticket.pk}@example.com",
        subject="Guest problem",
        description="Help",
        category=people.category,
    )
    guest_attachment = attach_files(
        ticket=guest_ticket, actor=guest_ticket.requester, files=[_file("g.txt", b"g")]
    )[0]
    return SimpleNamespace(
        ticket=ticket,
        message=message,
        attachment=attachment,
        invite_token=invite_token,
        guest_ticket=guest_ticket,
        guest_attachment=guest_attachment,
        guest_token=issue_access_token(ticket=guest_ticket),
    )


def _put_in_state(ticket, state: str, staff) -> None:
    """Move a ticket into `state` through the actions, as staff would."""
    if state in ("working", "pending"):
        kind = StatusKind.OPEN if state == "working" else StatusKind.PENDING
        transition_ticket(ticket=ticket, actor=staff, status=status_of_kind(kind))
    elif state in ("resolved", "resolved_late"):
        resolve_ticket(ticket=ticket, actor=staff, resolution_notes="Replaced the toner.")
    elif state == "closed":
        close_ticket(ticket=ticket, actor=staff)
    elif state == "spam":
        mark_spam(ticket=ticket, actor=staff)
    elif state == "deleted":
        delete_ticket(ticket=ticket, actor=staff)


def _state_set(people, frank, state: str) -> SimpleNamespace:
    if state != "resolved_late":
        ticket_set = _ticket_set(people, frank, f"Printer ({state})")
        for ticket in (ticket_set.ticket, ticket_set.guest_ticket):
            _put_in_state(ticket, state, people.bob)
        return ticket_set
    # Raised and resolved longer ago than the reopen window; the hourly job has not run.
    days = HelpdeskSettings.load().reopen_window_days + 2
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return _state_set(people, frank, "resolved")


def build_world() -> SimpleNamespace:
    ensure_seeded()
    people = make_people()
    frank = make_user(Role.CUSTOMER, email="frank@example.com", name="Frank Participant")
    base = _ticket_set(people, frank, "Printer is on fire")
    ticket = base.ticket
    other_ticket = make_ticket(people.erin, people.category, subject="Other printer")
    linked_ticket = make_ticket(people.dave, people.category, subject="Linked printer")
    link_tickets(actor=people.bob, source=ticket, target=linked_ticket, type="related_to")
    other_token = issue_access_token(ticket=other_ticket)
    uid = urlsafe_base64_encode(force_bytes(people.dave.pk))
    return SimpleNamespace(
        people=people,
        frank=frank,
        **vars(base),
        states={"new": base} | {state: _state_set(people, frank, state) for state in STATES[1:]},
        other_ticket=other_ticket,
        linked_ticket=linked_ticket,
        tokens={"guest": base.guest_token, "other_token": other_token, "no_token": ""},
        canned=save_canned_reply(actor=people.bob, title="Thanks", body="Thanks!"),
        view=save_view(actor=people.bob, name="Bob's view"),
        reset_url=f"/password/reset/{uid}/{default_token_generator.make_token(people.dave)}/",
        close_token=dumps({"t": 0}, salt="nothing"),
        open_status=Status.objects.exclude(pk=ticket.status_id).filter(kind="open").first()
        or Status.objects.exclude(pk=ticket.status_id).first(),
    )


def in_state(world, state: str) -> SimpleNamespace:
    """The world with the ticket, its reply, file, invite and guest ticket of `state`."""
    chosen = world.states[state]
    tokens = {**world.tokens, "guest": chosen.guest_token}
    # A working status the ticket is not in, for the rows that change the status.
    other_status = (
        Status.objects.filter(kind__in=(StatusKind.OPEN, StatusKind.PENDING), active=True)
        .exclude(pk=chosen.ticket.status_id)
        .order_by("order", "pk")
        .first()
    )
    return SimpleNamespace(**{**vars(world), **vars(chosen), "tokens": tokens, "other_status": other_status})
