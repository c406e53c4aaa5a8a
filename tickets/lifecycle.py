"""The rules of SPEC §3 in one place: each check reads and decides, and never saves.

Each `check_*` raises `ActionRefused` with the reason a person will read.
"""

from datetime import datetime

from .errors import ActionRefused
from .models import (
    HIDDEN_KINDS,
    NO_CLOSURE_REQUEST_KINDS,
    UNFAVOURITE_KINDS,
    WORKING_KINDS,
    HelpdeskSettings,
    Status,
    StatusKind,
    Ticket,
)

CLOSED_REPLY_REASON = "This ticket is closed, so it can no longer be replied to. Please open a new ticket."


def require_agent(actor, what: str = "This action") -> None:
    if not getattr(actor, "is_agent", False):
        raise ActionRefused(f"{what} is for staff only.", code="forbidden")


def require_party(ticket: Ticket, actor, what: str) -> None:
    """Requester or participant (staff pass too where the caller allows them)."""
    if not ticket.is_party(actor):
        raise ActionRefused(f"Only the requester or a participant can {what}.", code="forbidden")


def reply_window_closed(ticket: Ticket, desk: HelpdeskSettings, now: datetime) -> bool:
    """True when a customer may no longer reply: closed, hidden, or resolved past its window.

    The window, not the hourly job, decides: a resolved ticket past its window behaves as
    closed even before the job has closed it.
    """
    kind = ticket.status.kind
    if kind == StatusKind.CLOSED or kind in HIDDEN_KINDS:
        return True
    ends = ticket.reopen_window_ends(desk)
    return ends is not None and now > ends


def check_customer_reply(ticket: Ticket, desk: HelpdeskSettings, now: datetime) -> None:
    if reply_window_closed(ticket, desk, now):
        raise ActionRefused(CLOSED_REPLY_REASON)


def check_post_message(
    ticket: Ticket, actor, desk: HelpdeskSettings, now: datetime, *, internal: bool, status
) -> None:
    """Staff post on every status, closed included; a customer replies publicly, as the
    requester or a participant, until the ticket is closed or past its reopen window."""
    if getattr(actor, "is_agent", False):
        return
    if internal or status is not None:
        raise ActionRefused("Only staff can post internal notes or set a status.", "forbidden")
    require_party(ticket, actor, "reply")
    check_customer_reply(ticket, desk, now)


def customer_reply_target(ticket: Ticket) -> Status | None:
    """Where a customer's reply moves the ticket, or None when it stays (SPEC §3)."""
    target = ticket.status.customer_reply_moves_to
    if target is None or target.pk == ticket.status_id or not target.active:
        return None
    return target


def staff_reply_target(ticket: Ticket, desk: HelpdeskSettings) -> Status | None:
    """The workflow's default status for a staff reply, for tickets in a working state."""
    target = desk.staff_reply_status
    if target is None or not target.active or ticket.status.kind not in WORKING_KINDS:
        return None
    return None if target.pk == ticket.status_id else target


def find_status(value: Status | int | str | None) -> Status:
    """The status a request names, by row, id or name; unknown ones are invalid input."""
    if isinstance(value, Status):
        return value
    status = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        status = Status.objects.filter(pk=int(value)).first()
    elif isinstance(value, str) and value.strip():
        status = Status.objects.filter(name__iexact=value.strip()).first()
    if status is None:
        raise ActionRefused("Choose a valid status.", "invalid", "status")
    return status


def is_deletion_pending(ticket: Ticket) -> bool:
    """Spam, deleted, or closed with a deletion scheduled: the ticket is on its way out."""
    return ticket.status.kind in HIDDEN_KINDS or ticket.purge_at is not None


def check_transition(ticket: Ticket, to_status: Status, actor) -> None:
    """Staff may move a ticket from any status to any active status (SPEC §3).

    Leaving spam, deleted or a scheduled deletion for a live status is a restore, so the
    restore rule holds on this path too: not while a required field is missing.
    """
    require_agent(actor, "Changing the status")
    if not to_status.active:
        raise ActionRefused(f"The status {to_status.name} is not active.", "invalid", "status")
    if to_status.kind == StatusKind.CLOSURE_SCHEDULED:
        raise ActionRefused("Use 'schedule closure' with a time to schedule a closure.", "invalid", "status")
    if to_status.kind in HIDDEN_KINDS and ticket.status.kind in HIDDEN_KINDS:
        raise ActionRefused("Restore the ticket before moving it between spam and deleted.")
    if is_deletion_pending(ticket) and to_status.kind not in HIDDEN_KINDS | {StatusKind.CLOSED}:
        check_required_fields(ticket)


def check_request_closure(ticket: Ticket, actor, desk: HelpdeskSettings, now: datetime) -> None:
    """Any status but closed and the two closure states; a resolved ticket past its window
    counts as closed, as it does for replies."""
    require_party(ticket, actor, "request closure")
    if ticket.status.kind in NO_CLOSURE_REQUEST_KINDS:
        raise ActionRefused(f"Closure cannot be requested while the ticket is {ticket.status.name}.")
    if reply_window_closed(ticket, desk, now):
        raise ActionRefused("This ticket is already closed.")


def check_schedule_closure(ticket: Ticket, actor, at: datetime, now: datetime) -> None:
    require_agent(actor, "Scheduling a closure")
    if at <= now:
        raise ActionRefused("The closure time must be in the future.", "invalid", "at")
    kind = ticket.status.kind
    if kind == StatusKind.CLOSURE_SCHEDULED:
        raise ActionRefused("A closure is already scheduled for this ticket.")
    if kind == StatusKind.CLOSED or kind in HIDDEN_KINDS:
        raise ActionRefused(f"A closure cannot be scheduled while the ticket is {ticket.status.name}.")


def check_close_now(ticket: Ticket, actor, desk: HelpdeskSettings, now: datetime) -> None:
    """Staff close on any live status; a requester or participant closes a ticket scheduled for
    closure early, or a resolved one inside its reopen window ("It's fixed, close it")."""
    kind = ticket.status.kind
    if kind == StatusKind.CLOSED:
        raise ActionRefused("The ticket is already closed.")
    if getattr(actor, "is_agent", False):
        if kind in HIDDEN_KINDS:
            raise ActionRefused("Restore the ticket before closing it.")
        return
    require_party(ticket, actor, "close the ticket")
    if kind == StatusKind.CLOSURE_SCHEDULED:
        return
    if kind == StatusKind.RESOLVED and not reply_window_closed(ticket, desk, now):
        return
    raise ActionRefused("You can close the ticket yourself once it is resolved or a closure is scheduled.")


def check_hide(ticket: Ticket, actor, kind: str) -> None:
    require_agent(actor, "Marking spam or deleting")
    if ticket.status.kind in HIDDEN_KINDS:
        raise ActionRefused(f"The ticket is already {ticket.status.name}.")


def check_schedule_deletion(ticket: Ticket, actor, at: datetime, now: datetime) -> None:
    require_agent(actor, "Scheduling a deletion")
    if at <= now:
        raise ActionRefused("The deletion time must be in the future.", "invalid", "at")
    if ticket.status.kind in HIDDEN_KINDS:
        raise ActionRefused(f"The ticket is already {ticket.status.name}.")


def missing_required_fields(ticket: Ticket) -> list[str]:
    """The CTI fields a ticket needs and lacks (e.g. after a category was removed)."""
    if ticket.category_id is None:
        return ["category"]
    missing = []
    if ticket.type_id is None and ticket.category.types.filter(active=True).exists():
        missing.append("type")
    elif ticket.type_id and ticket.item_id is None and ticket.type.items.filter(active=True).exists():
        missing.append("item")
    return missing


def check_required_fields(ticket: Ticket) -> None:
    missing = missing_required_fields(ticket)
    if missing:
        raise ActionRefused(
            f"The ticket cannot be restored while it has no {', '.join(missing)}; set it first."
        )


def check_restore(ticket: Ticket, actor) -> None:
    require_agent(actor, "Restoring")
    if not is_deletion_pending(ticket):
        raise ActionRefused("Only spam, deleted or deletion-scheduled tickets can be restored.")
    check_required_fields(ticket)


def check_assign_to_me(ticket: Ticket, actor) -> None:
    """Take-it semantics: an unassigned ticket only, never silently a colleague's."""
    require_agent(actor, "Assigning")
    if ticket.assignee_id is not None and ticket.assignee_id != actor.pk:
        raise ActionRefused(f"This ticket is already assigned to {ticket.assignee}.")


def check_favorite(ticket: Ticket, actor) -> None:
    """Favourites are for live tickets: resolving or closing empties them (SPEC §3)."""
    require_party(ticket, actor, "favourite this ticket")
    if ticket.status.kind in UNFAVOURITE_KINDS or ticket.status.kind in HIDDEN_KINDS:
        raise ActionRefused(f"A {ticket.status.name.lower()} ticket cannot be a favourite.")


def check_edit_message(message, actor, desk: HelpdeskSettings, now: datetime) -> None:
    """Staff edit any reply at any time; customers their own, in the window, never on closed."""
    if message.is_system:
        raise ActionRefused("System messages cannot be changed.")
    if message.deleted:
        raise ActionRefused("This reply was deleted.")
    if getattr(actor, "is_agent", False):
        return
    if message.author_id != actor.pk or message.internal:
        raise ActionRefused("You can only change your own replies.", code="forbidden")
    if reply_window_closed(message.ticket, desk, now):
        raise ActionRefused("Replies on a closed ticket can no longer be changed.")
    if now > message.created_at + desk.edit_window:
        raise ActionRefused(
            f"Replies can be changed only within {desk.edit_window_minutes} minutes of posting."
        )


def status_of_kind(kind: str) -> Status:
    """The first active status of a kind; the workflow must define one."""
    status = Status.objects.filter(kind=kind, active=True).order_by("order", "id").first()
    if status is None:
        raise ActionRefused(f"This workflow has no active status of kind '{kind}'.")
    return status


def initial_status() -> Status:
    status = (
        Status.objects.filter(kind=StatusKind.NEW, active=True).order_by("-is_initial", "order", "id").first()
    )
    if status is None:
        raise ActionRefused("This workflow has no active status of kind 'new'.")
    return status
