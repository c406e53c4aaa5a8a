"""The "It's fixed, close it" link of the resolution notice: signed, single-use, expiring.

A link names the ticket, the person it was mailed to and the resolution it answers (the
ticket's `resolved_at`), signed with the site's SECRET_KEY: it cannot be forged or pointed at
another ticket. It works while that resolution stands and its reopen window runs (the window
is read when the link is used, as for replies); a reopened and re-resolved ticket needs the
new notice's link. Each link closes once: its hash is recorded in `CloseLinkUse`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timesince import timeuntil

from accounts.models import User

from .errors import ActionRefused
from .guests import hash_token
from .lifecycle import check_close_now
from .models import CloseLinkUse, HelpdeskSettings, StatusKind, Ticket

SALT = "tickets.close-link"
MAX_TOKEN_LENGTH = 400


NOT_VALID = "This link is not valid."
USED = "This link was used already: it closes a ticket once."
STALE = "This ticket is no longer waiting for your answer, so this link no longer works."
EXPIRED = "The time to close the ticket with this link has passed."


@dataclass(frozen=True)
class CloseLink:
    ticket_id: int
    user_id: int
    resolved_at: datetime
    token_hash: str


def make_close_token(ticket: Ticket, person) -> str:
    """A token for `person` to close `ticket` as resolved at `ticket.resolved_at`."""
    return signing.dumps({"t": ticket.pk, "u": person.pk, "r": ticket.resolved_at.isoformat()}, salt=SALT)


def read_close_token(token) -> CloseLink:
    """What a token says; refused ("not_found") when it was not made here (tampered, cut, junk)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise ActionRefused(NOT_VALID, "not_found")
    try:
        claims = signing.loads(token, salt=SALT)
        resolved_at = parse_datetime(claims["r"])
        ticket_id, user_id = int(claims["t"]), int(claims["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ActionRefused(NOT_VALID, "not_found") from exc
    if resolved_at is None:
        raise ActionRefused(NOT_VALID, "not_found")
    return CloseLink(ticket_id, user_id, resolved_at, hash_token(token))


def link_actor(link: CloseLink):
    """The person the link was mailed to, who closes the ticket with it."""
    actor = User.objects.filter(pk=link.user_id, is_active=True).first()
    if actor is None:
        raise ActionRefused(NOT_VALID, "not_found")
    return actor


def check_close_link(link: CloseLink, ticket: Ticket, actor, now: datetime) -> None:
    """May this link close this ticket now? Once, inside the window, for the same resolution."""
    if CloseLinkUse.objects.filter(token_hash=link.token_hash).exists():
        raise ActionRefused(USED, "gone")
    if ticket.status.kind != StatusKind.RESOLVED or ticket.resolved_at != link.resolved_at:
        raise ActionRefused(STALE, "gone")
    try:
        check_close_now(ticket, actor, HelpdeskSettings.load(), now)
    except ActionRefused as exc:
        raise ActionRefused(EXPIRED if ticket.is_party(actor) else NOT_VALID, "gone") from exc


def ticket_for_close_link(token) -> Ticket:
    """The ticket a link would close, for its confirmation page; refused as the action would be.

    Reads only: the page that a mail scanner or a link preview fetches changes nothing.
    """
    link = read_close_token(token)
    actor = link_actor(link)
    ticket = Ticket.objects.select_related("status").filter(pk=link.ticket_id).first()
    if ticket is None:
        raise ActionRefused(NOT_VALID, "not_found")
    check_close_link(link, ticket, actor, timezone.now())
    return ticket


def close_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('close_link', args=[token])}"


def window_in_words(window: timedelta) -> str:
    """The reopen window as people say it: "7 days", "1 day"."""
    days = window.days
    if days and not window.seconds:
        return f"{days} day{'s' if days != 1 else ''}"
    return timeuntil(timezone.now() + window, timezone.now())


def resolution_context(ticket: Ticket, person, ticket_url: str, guest_link: bool) -> dict:
    """What the resolution notice says to `person`: notes, window, and their two links.

    "Still broken" opens the reply form: the guest's access page (the link in `ticket_url`
    carries their token) or the portal ticket page, which asks a logged-out customer to log in.
    """
    desk = HelpdeskSettings.load()
    ends = ticket.resolved_at + desk.reopen_window
    if guest_link:
        still_broken = f"{ticket_url}#reply-heading"  # the access page's reply form
    elif person.is_agent:
        still_broken = ticket_url
    else:
        still_broken = f"{ticket_url}?still_broken=1#reply"
    return {
        "resolution_notes": ticket.resolution_notes,
        "window_words": window_in_words(desk.reopen_window),
        "window_ends": ends,
        "close_url": close_url(make_close_token(ticket, person)),
        "still_broken_url": still_broken,
    }
