"""Canned replies (macros): save, delete, and apply one to a ticket in one action.

Any staff member keeps personal canned replies; shared ones are the admins' to create and
delete. Who may *use* one is `tickets.canned.access_canned_reply_by_id`.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import Role

from ..canned import render_canned_body
from ..errors import ActionRefused
from ..lifecycle import require_agent
from ..models import CannedReply, Message, Priority, Status, Ticket
from .conversation import add_message
from .create import MAX_BODY, check_text, update_ticket_fields

MAX_TAGS = 20


def _clean_tags(tags) -> list[str]:
    if isinstance(tags, str) or not all(isinstance(t, str) for t in tags or ()):
        raise ActionRefused("Give the tags as a list of names.", "invalid", "add_tags")
    clean = sorted({t.strip().lower()[:50] for t in tags or () if t.strip()})
    if len(clean) > MAX_TAGS:
        raise ActionRefused(f"Give at most {MAX_TAGS} tags.", "invalid", "add_tags")
    return clean


@transaction.atomic
def save_canned_reply(
    *,
    actor,
    title: str,
    body: str,
    shared: bool = False,
    set_status: Status | None = None,
    set_priority: Priority | None = None,
    add_tags=(),
) -> CannedReply:
    """Save a canned reply: personal to the actor, or (admins) shared with all staff."""
    require_agent(actor, "Saving a canned reply")
    if shared and actor.role != Role.ADMIN:
        raise ActionRefused("Only admins can share a canned reply with all staff.", "forbidden")
    if set_status is not None and not set_status.active:
        raise ActionRefused("Choose an active status.", "invalid", "set_status")
    return CannedReply.objects.create(
        title=check_text("title", title, 100),
        body=check_text("body", body, MAX_BODY),
        owner=actor,
        shared=bool(shared),
        set_status=set_status,
        set_priority=set_priority,
        add_tags=_clean_tags(add_tags),
        created_at=timezone.now(),
    )


@transaction.atomic
def delete_canned_reply(*, canned_reply: CannedReply, actor) -> None:
    """Delete a canned reply: the owner a personal one, an admin a shared one."""
    require_agent(actor, "Deleting a canned reply")
    if canned_reply.shared:
        if actor.role != Role.ADMIN:
            raise ActionRefused("Shared canned replies are managed by admins.", "forbidden")
    elif canned_reply.owner_id != actor.pk:
        raise ActionRefused("Deleting a canned reply is for its owner.", "forbidden")
    CannedReply.objects.filter(pk=canned_reply.pk).delete()


@transaction.atomic
def apply_canned_reply(
    *,
    ticket: Ticket,
    actor,
    canned_reply: CannedReply,
    body: str | None = None,
    internal: bool = False,
    files=(),
) -> Message:
    """Post the canned reply on the ticket and make its changes, all or nothing.

    `body` is the text to post when the agent edited the inserted reply; without it the
    canned body is filled in for the ticket. The reply carries the status to set (the
    workflow's staff-reply default otherwise); priority and tags follow in the same
    transaction, each in the history.
    """
    require_agent(actor, "Applying a canned reply")
    if body is None or not body.strip():
        body = render_canned_body(canned_reply.body, ticket, actor)
    message = add_message(
        ticket=ticket, actor=actor, body=body, internal=internal, status=canned_reply.set_status, files=files
    )
    changes = {}
    if canned_reply.set_priority is not None:
        changes["priority"] = canned_reply.set_priority
    if canned_reply.add_tags:
        current = list(ticket.tags.values_list("name", flat=True))
        changes["tags"] = [*current, *canned_reply.add_tags]
    if changes:
        update_ticket_fields(ticket=ticket, actor=actor, **changes)
    return message
