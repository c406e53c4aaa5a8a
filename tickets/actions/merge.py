"""Merge a duplicate ticket into another (issue 11).

The source's request, conversation, attachments and participants move to the target; the
source is closed and linked `duplicate_of` the target; its requester is told by email.
Tickets of different requesters merge only when staff confirm (409 until then).
"""

from django.db import transaction
from django.utils import timezone

from attachments.models import Attachment

from ..access import can_see
from ..errors import ActionRefused
from ..lifecycle import require_agent
from ..markup import render_markdown
from ..models import HIDDEN_KINDS, Message, StatusKind, Ticket
from ..search import refresh_search_vector
from ._common import lock_pair, lock_ticket, notify, record, touch
from .status import close_ticket

REFUSED_KINDS = HIDDEN_KINDS | {StatusKind.CLOSED}


@transaction.atomic
def merge_tickets(*, actor, source: Ticket, target: Ticket, confirm_cross_customer: bool = False) -> Ticket:
    """Merge `source` into `target`; return the target."""
    from links.actions import link_tickets  # links builds on tickets
    from links.models import LinkType, TicketLink

    require_agent(actor, "Merging tickets")
    if source.pk == target.pk:
        raise ActionRefused("A ticket cannot be merged into itself.", "invalid", "target")
    if not can_see(actor, target):
        raise ActionRefused(f"There is no ticket #{target.pk} you can see.", "invalid", "target")
    source, target = lock_pair(source, target)
    if source.status.kind in REFUSED_KINDS:
        raise ActionRefused(f"Ticket #{source.pk} is {source.status.name}: it cannot be merged.", "invalid")
    if target.status.kind in REFUSED_KINDS:
        raise ActionRefused(
            f"Ticket #{target.pk} is {target.status.name}: merge into an open ticket.", "invalid", "target"
        )
    if source.requester_id != target.requester_id and not confirm_cross_customer:
        raise ActionRefused(
            f"#{source.pk} and #{target.pk} have different requesters "
            f"({source.requester.email} and {target.requester.email}). Confirm to merge anyway.",
            "conflict",
            "confirm",
        )
    now = timezone.now()
    # The source's request becomes a message of the target, at the time it was made.
    Message.objects.create(
        ticket=target,
        author=source.requester,
        body=f"(Merged from #{source.pk}: {source.subject})\n\n{source.description}",
        body_html=render_markdown(f"*(Merged from #{source.pk}: {source.subject})*\n\n{source.description}"),
        created_at=source.created_at,
    )
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    files = Attachment.objects.filter(ticket=source).update(ticket=target)
    people = set(source.participants.values_list("pk", flat=True)) | {source.requester_id}
    people -= {target.requester_id}
    if people:
        target.participants.add(*people)
    record(source, actor, "merged", None, {"into": target.pk, "messages": moved, "files": files}, at=now)
    record(target, actor, "merged", None, {"from": source.pk, "messages": moved, "files": files}, at=now)
    touch(target, now, [])
    if not TicketLink.objects.filter(source=source, target=target, type=LinkType.DUPLICATE_OF).exists():
        link_tickets(actor=actor, source=source, target=target, type=LinkType.DUPLICATE_OF)
    close_ticket(ticket=source, actor=actor, reason=f"Merged into #{target.pk}")
    refresh_search_vector(target.pk)
    refresh_search_vector(source.pk)
    notify("merged", source)
    return lock_ticket(target)
