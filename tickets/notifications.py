"""Build the ticket emails of SPEC §8 and hand them to the send-once path; called from tasks.

Who gets what is decided here (`recipients_for`); how an email leaves exactly once is
`tickets.mail.outbound`; the thread handles (Reply-To tag, thread root) are
`tickets.mail.addresses`.
"""

import uuid

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from .closelinks import resolution_context
from .guests import access_url, is_guest
from .mail.addresses import desk_address, reply_address, thread_root
from .mail.outbound import AUTO_GENERATED, AUTO_REPLIED, Outgoing, idempotency_key, send_once
from .models import HIDDEN_KINDS, InboundEmail, Message, StatusKind, Ticket
from .sla import RUNNING_KINDS, pending_due_times

# Automatic mail carries Auto-Submitted so that other systems never answer it.
AUTOMATIC = {
    "created",
    "assigned",
    "unassigned",
    "reopened",
    "survey",
    "resolved",
    "preclose",
    "merged",
    "sla_warning",
}
SUBJECTS = {
    "created": "We received your request",
    "reply": "New reply",
    "assigned": "Assigned to you",
    "unassigned": "Reassigned",
    "reopened": "Reopened by the customer",
    "survey": "How did we do?",
    "resolved": "Resolved",
    "preclose": "Closing soon",
    "merged": "Merged into another ticket",
    "sla_warning": "SLA deadline approaching",
}
# Sent once per ticket whatever queued it: the event is the ticket itself.
ONCE_PER_TICKET = {"created"}


def thread_id(ticket: Ticket) -> str:
    return thread_root(ticket.pk)


def recipients_for(kind: str, ticket: Ticket, message: Message | None, user_id: int | None):
    if kind == "assigned":
        people = [ticket.assignee] if ticket.assignee_id == user_id else []
    elif kind == "unassigned":
        # The previous assignee hears of it only as a participant (SPEC §6).
        still_theirs = ticket.assignee_id == user_id
        people = [] if still_theirs else list(ticket.participants.filter(pk=user_id))
    elif kind == "reopened":
        people = [ticket.assignee]
    elif kind in ("created", "survey"):
        people = [ticket.requester]
    elif kind == "resolved":
        # Only while it still stands: a ticket closed or reopened meanwhile needs no notice.
        resolved = ticket.status.kind == StatusKind.RESOLVED
        people = [ticket.requester, *ticket.participants.all()] if resolved else []
    elif kind == "preclose":
        # Only while it still stands: a reply meanwhile reopened it.
        people = [ticket.requester] if ticket.status.kind == StatusKind.RESOLVED else []
    elif kind == "merged":  # the source of a merge (tickets/actions/merge.py)
        people = [ticket.requester]
    elif kind == "sla_warning":  # only while the clock still runs (tickets/sla_warnings.py)
        running = ticket.status.kind in RUNNING_KINDS and ticket.sla_paused_at is None
        people = [ticket.assignee] if running else []
    elif kind == "reply":
        if message is None or message.internal or message.deleted or message.ticket_id != ticket.pk:
            return []
        people = [ticket.requester, *ticket.participants.all(), ticket.assignee]
        people = [p for p in people if p is not None and p.pk != message.author_id]
    else:
        raise ValueError(kind)
    seen, unique = set(), []
    for person in people:
        if person is not None and person.is_active and person.email.lower() not in seen:
            seen.add(person.email.lower())
            unique.append(person)
    return unique


def _load_ticket(ticket_id: int) -> Ticket | None:
    """The ticket, or None when nothing may go out for it (spam, deleted, draft, purged)."""
    ticket = (
        Ticket.objects.select_related("status", "requester", "assignee", "priority")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.status.kind in HIDDEN_KINDS or ticket.status.is_draft:
        return None
    return ticket


def thread_headers(ticket: Ticket) -> tuple[str, list[str]]:
    """In-Reply-To and References: the thread root, and the customer's own first email when
    the ticket came in by mail, so that their mail program threads our answer under it."""
    origin = (
        InboundEmail.objects.filter(ticket_id=ticket.pk, outcome="created")
        .values_list("message_id", flat=True)
        .first()
    )
    references = [thread_root(ticket.pk), *([origin] if origin else [])]
    return references[-1], references


def render_email(template: str, context: dict) -> tuple[str, str]:
    """The plain-text body and its HTML version in the one base layout."""
    text = render_to_string(f"tickets/emails/{template}.txt", context)
    try:  # an email with buttons (the resolution notice) has an HTML template of its own
        html = get_template(f"tickets/emails/{template}.html").render(context)
    except TemplateDoesNotExist:
        html = render_to_string("tickets/emails/base.html", {**context, "body": text})
    return text, html


def email_context(kind: str, ticket: Ticket, message: Message | None, person) -> dict:
    # A guest requester has no login: their emails carry an access link of their own.
    guest_link = person.pk == ticket.requester_id and is_guest(person)
    context = {
        "kind": kind,
        "ticket": ticket,
        "message": message,
        "recipient": person,
        "site_url": settings.SITE_URL.rstrip("/"),
        "ticket_url": _guest_link(ticket) if guest_link else _ticket_url(ticket, person),
        "guest_link": guest_link,
        "desk_address": desk_address(),
    }
    if kind == "resolved":
        context.update(resolution_context(ticket, person, context["ticket_url"], guest_link))
    if kind == "merged":
        from links.models import LinkType, TicketLink

        link = TicketLink.objects.filter(source=ticket, type=LinkType.DUPLICATE_OF).order_by("-id").first()
        context["merged_into"] = link.target_id if link else None
    if kind == "preclose":
        from .preclose import closes_at

        context["closes_at"] = closes_at(ticket)
    if kind == "sla_warning":  # what is still due, soonest first: the warning's own due time leads
        context["due_times"] = pending_due_times(ticket)
    return context


def ticket_email(
    kind: str,
    ticket: Ticket,
    to: str,
    event,
    context: dict,
    *,
    automatic: bool,
    subject: str = "",
    threading: tuple[str, list[str]] | None = None,
) -> Outgoing:
    """An email of the ticket's thread: numbered subject, tagged Reply-To, threading headers.

    The general path for every ticket email (notifications, access links, invites).
    `threading` is the ticket's `thread_headers`, when the caller read them already.
    """
    text, html = render_email(kind, context)
    in_reply_to, references = threading or thread_headers(ticket)
    return Outgoing(
        key=idempotency_key(kind, ticket.pk, event, to),
        kind=kind,
        to=to,
        subject=f"[#{ticket.pk}] {subject or SUBJECTS[kind]}: {ticket.subject}",
        text=text,
        html=html,
        ticket_id=ticket.pk,
        automatic=AUTO_GENERATED if automatic else "",
        reply_to=reply_address(ticket.pk),
        in_reply_to=in_reply_to,
        references=references,
    )


def send_notification(
    kind: str,
    ticket_id: int,
    message_id: int | None = None,
    user_id: int | None = None,
    event: str | None = None,
) -> int:
    """Send one notification to everyone it concerns, each at most once; return how many left.

    `event` identifies the change being told (the task passes its own id, which a retry or a
    redelivery keeps), so running the same task twice sends nothing the second time.
    """
    ticket = _load_ticket(ticket_id)
    if ticket is None:
        return 0  # nothing goes out for spam, deleted or draft tickets
    message = Message.objects.select_related("author").filter(pk=message_id).first() if message_id else None
    if kind in ONCE_PER_TICKET:
        event = "-"
    elif message_id:
        event = f"m{message_id}"
    event = event or uuid.uuid4().hex
    people = recipients_for(kind, ticket, message, user_id)
    threading = thread_headers(ticket) if people else None  # one read for every recipient
    mails = [
        ticket_email(
            kind,
            ticket,
            person.email,
            event,
            email_context(kind, ticket, message, person),
            automatic=kind in AUTOMATIC,
            threading=threading,
        )
        for person in people
    ]
    return send_once(mails)


def send_refusal(inbound_id: int) -> int:
    """Tell the sender of a reply to a closed ticket that it was not added, and how to go on.

    An automatic answer (Auto-Submitted: auto-replied): it is only ever sent for mail that
    passed the loop checks, so it never answers another robot.
    """
    inbound = InboundEmail.objects.select_related("ticket").filter(pk=inbound_id).first()
    if inbound is None or inbound.ticket is None or not inbound.sender:
        return 0
    ticket = inbound.ticket
    context = {
        "ticket": ticket,
        "inbound": inbound,
        "desk_address": desk_address(),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    text, html = render_email("refused", {**context, "ticket_url": f"{context['site_url']}/portal/"})
    # No [#N] and the untagged desk address: a new email from here opens a new ticket.
    mail = Outgoing(
        key=idempotency_key("refused", ticket.pk, inbound.pk, inbound.sender),
        kind="refused",
        to=inbound.sender,
        subject=f"Not added: ticket #{ticket.pk} is closed",
        text=text,
        html=html,
        ticket_id=None,
        automatic=AUTO_REPLIED,
        reply_to="",
        in_reply_to=inbound.message_id,
        references=[inbound.message_id],
    )
    return send_once([mail])


def _guest_link(ticket: Ticket) -> str:
    """A fresh access link (SPEC §8): its raw token goes into this one email and nowhere else."""
    from .actions.guests import issue_access_token

    return access_url(ticket, issue_access_token(ticket=ticket))


def _ticket_url(ticket: Ticket, person) -> str:
    base = settings.SITE_URL.rstrip("/")
    if person.is_agent:
        return f"{base}/tickets/{ticket.pk}/"
    return f"{base}/portal/tickets/{ticket.pk}/"
