"""Build and send the ticket emails of SPEC §8; called from tasks after the commit."""

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import HIDDEN_KINDS, Message, Ticket

# Automatic mail carries Auto-Submitted so that other systems never answer it.
AUTOMATIC = {"created", "assigned", "unassigned", "reopened", "survey"}
SUBJECTS = {
    "created": "We received your request",
    "reply": "New reply",
    "assigned": "Assigned to you",
    "unassigned": "Reassigned",
    "reopened": "Reopened by the customer",
    "survey": "How did we do?",
}


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"


def thread_id(ticket: Ticket) -> str:
    return f"<ticket-{ticket.pk}@{_domain()}>"


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
    elif kind == "reply":
        if message is None or message.internal or message.deleted:
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


def send_notification(
    kind: str, ticket_id: int, message_id: int | None = None, user_id: int | None = None
) -> int:
    """Send one notification to everyone it concerns; return how many were sent."""
    ticket = (
        Ticket.objects.select_related("status", "requester", "assignee", "priority")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.status.kind in HIDDEN_KINDS or ticket.status.is_draft:
        return 0  # nothing goes out for spam, deleted or draft tickets
    message = Message.objects.select_related("author").filter(pk=message_id).first() if message_id else None
    sent = 0
    for person in recipients_for(kind, ticket, message, user_id):
        context = {
            "kind": kind,
            "ticket": ticket,
            "message": message,
            "recipient": person,
            "site_url": settings.SITE_URL.rstrip("/"),
            "ticket_url": _ticket_url(ticket, person),
        }
        text = render_to_string(f"tickets/emails/{kind}.txt", context)
        html = render_to_string("tickets/emails/base.html", {**context, "body": text})
        headers = {
            "Message-ID": make_msgid(domain=_domain()),
            "In-Reply-To": thread_id(ticket),
            "References": thread_id(ticket),
        }
        if kind in AUTOMATIC:
            headers["Auto-Submitted"] = "auto-generated"
        mail = EmailMultiAlternatives(
            subject=f"[#{ticket.pk}] {SUBJECTS[kind]}: {ticket.subject}"[:250],
            body=text,
            to=[person.email],
            headers=headers,
        )
        mail.attach_alternative(html, "text/html")
        mail.send()
        sent += 1
    return sent


def _ticket_url(ticket: Ticket, person) -> str:
    base = settings.SITE_URL.rstrip("/")
    if person.is_agent:
        return f"{base}/tickets/{ticket.pk}/"
    return f"{base}/portal/tickets/{ticket.pk}/"
