"""The only write path for tickets: one function per domain action (STYLE.md rule 2).

Each takes keyword arguments with an explicit `actor`, runs in one transaction, locks the
ticket row, checks the rules of `tickets.lifecycle`, writes, records a `TicketEvent`, and
queues notifications with `transaction.on_commit`.
"""

from .assignment import UNSET, assign_ticket, assign_to_me
from .bulk import bulk_change_tickets
from .canned import apply_canned_reply, delete_canned_reply, save_canned_reply
from .catalogue import create_catalogue_entry, update_settings
from .conversation import add_message, add_system_message, delete_message, edit_message
from .create import create_ticket, update_ticket_fields
from .customer import add_favorite, answer_survey, remove_favorite
from .saved_views import delete_view, mark_ticket_seen, rename_view, save_view
from .status import (
    close_ticket,
    delete_ticket,
    fire_scheduled_closure,
    mark_spam,
    request_closure,
    resolve_ticket,
    restore_ticket,
    schedule_closure,
    schedule_deletion,
    transition_ticket,
)

__all__ = [
    "UNSET",
    "add_favorite",
    "add_message",
    "add_system_message",
    "answer_survey",
    "apply_canned_reply",
    "assign_ticket",
    "assign_to_me",
    "bulk_change_tickets",
    "close_ticket",
    "create_catalogue_entry",
    "create_ticket",
    "delete_canned_reply",
    "delete_message",
    "delete_ticket",
    "delete_view",
    "edit_message",
    "fire_scheduled_closure",
    "mark_spam",
    "mark_ticket_seen",
    "remove_favorite",
    "rename_view",
    "request_closure",
    "resolve_ticket",
    "restore_ticket",
    "save_canned_reply",
    "save_view",
    "schedule_closure",
    "schedule_deletion",
    "transition_ticket",
    "update_settings",
    "update_ticket_fields",
]
