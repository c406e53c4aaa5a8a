"""Guests' access links (SPEC §8): who a token lets in, and to which ticket.

A token is 32 random bytes (`secrets.token_urlsafe(32)`, 256 bits). The database keeps only
its SHA-256, so a copy of the database opens nothing: the raw token exists in the one email
that carries it. A token opens one ticket, seen as its requester sees it.
"""

import hashlib
import hmac

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from . import ratelimit
from .models import HIDDEN_KINDS, AccessToken, StatusKind, Ticket

# The whole body of a guest's POST: one attachment's worth of files plus the form's text.
GUEST_FORM_ALLOWANCE = 1024 * 1024


def guest_request_limit(desk) -> int:
    return desk.max_attachment_mb * 1024 * 1024 + GUEST_FORM_ALLOWANCE


# token_urlsafe(32) gives 43 characters; anything far off that is not one of ours.
TOKEN_MIN_LENGTH, TOKEN_MAX_LENGTH = 32, 128


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex.

    A plain hash (no salt, no stretching) is right here: the token is 256 random bits, so
    there is nothing to guess, and a deterministic hash is what lets us find the row.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def is_guest(user) -> bool:
    """A customer without a usable password: someone who only has access links."""
    return bool(user and user.is_customer and not user.has_usable_password())


def _well_formed(token) -> bool:
    return isinstance(token, str) and TOKEN_MIN_LENGTH <= len(token) <= TOKEN_MAX_LENGTH and token.isascii()


def ticket_id_for_token(token) -> int | None:
    """The ticket a token opens, or None.

    The row is found by the hash's unique index; comparing the hashes again with
    `hmac.compare_digest` keeps the final decision constant-time whatever the index did.
    """
    if not _well_formed(token):
        return None
    wanted = hash_token(token)
    row = AccessToken.objects.filter(token_hash=wanted).values_list("ticket_id", "token_hash").first()
    if row is None or not hmac.compare_digest(row[1], wanted):
        return None
    return row[0]


def access_ticket_by_token(ticket_id, token, qs: QuerySet | None = None) -> Ticket:
    """The ticket `token` opens if it is ticket `ticket_id`, or raise Http404.

    A wrong, missing or malformed token, another ticket's token, a spam or deleted ticket, and
    a ticket whose requester is not an active customer all answer the same 404.
    """
    try:
        pk = int(ticket_id)
    except (TypeError, ValueError):
        raise Http404("No such ticket.")
    opened = ticket_id_for_token(token)
    if opened is None or opened != pk:
        raise Http404("No such ticket.")
    return _open_ticket(pk, qs)


def _open_ticket(pk: int, qs: QuerySet | None = None) -> Ticket:
    qs = Ticket.objects.select_related("requester", "status") if qs is None else qs
    ticket = qs.exclude(status__kind__in=HIDDEN_KINDS).filter(pk=pk).first()
    if ticket is None or not ticket.requester.is_active or not ticket.requester.is_customer:
        raise Http404("No such ticket.")
    return ticket


def guarded(request, lookup):
    """Run a token lookup under the per-address limits: 429 for an address that keeps failing.

    `lookup` raises Http404 for a bad token; each such failure is counted against the address.
    """
    ip = ratelimit.client_ip(request)
    ratelimit.check(ratelimit.TOKEN_FAILURES_PER_IP, ip)
    ratelimit.hit(ratelimit.TOKEN_USE_PER_IP, ip)
    try:
        return lookup()
    except Http404:
        ratelimit.hit(ratelimit.TOKEN_FAILURES_PER_IP, ip)
        raise


def guest_ticket_for(request, ticket_id, token, qs: QuerySet | None = None) -> Ticket:
    """`access_ticket_by_token` for a request: rate limited per address (RateLimited → 429)."""
    return guarded(request, lambda: access_ticket_by_token(ticket_id, token, qs))


def guest_ticket_for_token(request, token) -> Ticket:
    """The ticket a token opens, whatever its number (downloads name only the attachment)."""

    def lookup():
        ticket_id = ticket_id_for_token(token)
        if ticket_id is None:
            raise Http404("No such ticket.")
        return _open_ticket(ticket_id)

    return guarded(request, lookup)


def access_url(ticket: Ticket, token: str) -> str:
    """The link an email carries: /t/{id}/?token=..."""
    base = settings.SITE_URL.rstrip("/")
    return f"{base}{reverse('guest_ticket', args=[ticket.pk])}?token={token}"


def invite_url(token: str) -> str:
    """The link of an invite: /invites/{token}/."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('invite', args=[token])}"


# The tickets "send me my links again" covers: all but closed ones (and never spam or deleted).
RESEND_EXCLUDED_KINDS = HIDDEN_KINDS | {StatusKind.CLOSED}
RESEND_MAX_TICKETS = 10


def list_tickets_for_resend(user) -> list[Ticket]:
    """A person's not-yet-closed, non-draft tickets as requester, most recently updated first (capped)."""
    qs = (
        Ticket.objects.filter(requester=user)
        .exclude(status__kind__in=RESEND_EXCLUDED_KINDS)
        .exclude(status__is_draft=True)
        .select_related("status")
        .order_by("-updated_at", "-id")
    )
    return list(qs[:RESEND_MAX_TICKETS])
