"""Invite links (SPEC §8): the requester lets a colleague join the ticket as a participant."""

import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..errors import ActionRefused
from ..guests import TOKEN_MAX_LENGTH, TOKEN_MIN_LENGTH, hash_token
from ..models import HIDDEN_KINDS, Invite, StatusKind, Ticket
from ._common import lock_ticket, record
from .customer import add_participant

INVITE_LIFETIME = timedelta(days=7)
# Invite links stop working once the ticket is resolved or closed; a closure-scheduled ticket
# takes new participants until the closure happens (it is then closed).
INVITE_ENDED_KINDS = frozenset({StatusKind.RESOLVED, StatusKind.CLOSED}) | HIDDEN_KINDS


@transaction.atomic
def create_invite(*, ticket: Ticket, actor) -> tuple[Invite, str]:
    """Create an invite link for the ticket; return it with its raw token, shown this once.

    Only the hash of the token is stored, so the link cannot be shown again: a lost link is
    replaced by a new one.
    """
    ticket = lock_ticket(ticket)
    if ticket.requester_id != getattr(actor, "pk", None):
        raise ActionRefused("Only the requester can invite colleagues.", "forbidden")
    if ticket.status.kind in INVITE_ENDED_KINDS:
        raise ActionRefused(f"A {ticket.status.name.lower()} ticket takes no new participants.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invite = Invite.objects.create(
        ticket=ticket,
        token_hash=hash_token(token),
        created_by=actor,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    record(
        ticket,
        actor,
        "invite_created",
        None,
        {"invite": invite.pk, "expires_at": invite.expires_at.isoformat()},
    )
    return invite, token


def find_invite(token) -> Invite:
    """The invite a token names (hash lookup, constant-time confirmation), or not_found."""
    if isinstance(token, str) and TOKEN_MIN_LENGTH <= len(token) <= TOKEN_MAX_LENGTH and token.isascii():
        wanted = hash_token(token)
        invite = Invite.objects.filter(token_hash=wanted).first()
        if invite is not None and hmac.compare_digest(invite.token_hash, wanted):
            return invite
    raise ActionRefused("This invite link is not valid.", "not_found")


def already_joined(ticket: Ticket, user) -> bool:
    """The user is on the ticket, so its invite passes them through without being used up.

    Never for a spam or deleted ticket: customers do not see those (SPEC §1), not even their own
    through an invite link, which then answers as gone.
    """
    if ticket.status.kind in HIDDEN_KINDS:
        return False
    return ticket.requester_id == user.pk or ticket.participants.filter(pk=user.pk).exists()


def invite_problem(invite: Invite, ticket: Ticket, now) -> str | None:
    """Why the invite no longer works (used, expired, ticket resolved or closed), or None."""
    if invite.accepted_at is not None:
        return "This invite link was already used."
    if now >= invite.expires_at:
        return "This invite link has expired."
    if ticket.status.kind in INVITE_ENDED_KINDS:
        return "This ticket is resolved or closed, so its invite links no longer work."
    return None


@transaction.atomic
def accept_invite(*, token: str, actor) -> Ticket:
    """Join the invite's ticket as a participant; each link works once, for seven days.

    Refused as "gone" (410) once the link was used or expired, or the ticket is resolved or
    closed. Someone already on the ticket passes without using the link up.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_customer:
        raise ActionRefused("Invite links are for customer accounts.", "forbidden")
    invite = find_invite(token)
    # Lock the ticket before the invite, as every action does: a resolve running now either
    # finishes first (and we refuse) or waits for this join.
    ticket = lock_ticket(invite.ticket_id)
    invite = Invite.objects.select_for_update().get(pk=invite.pk)
    if already_joined(ticket, actor):
        return ticket
    now = timezone.now()
    problem = invite_problem(invite, ticket, now)
    if problem:
        raise ActionRefused(problem, "gone")
    # The requester who made the link is the one copying the colleague in.
    add_participant(ticket=ticket, actor=invite.created_by, user=actor)
    invite.accepted_by, invite.accepted_at = actor, now
    invite.save(update_fields=["accepted_by", "accepted_at"])
    record(
        ticket,
        actor,
        "invite_accepted",
        None,
        {"invite": invite.pk, "id": actor.pk, "name": str(actor)},
        at=now,
    )
    return ticket
