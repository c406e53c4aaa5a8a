"""Bulk actions on the queue (SPEC §6): one change for many tickets at once.

Each ticket goes through the SAME action as a single change, in its own transaction: one
refusal leaves that ticket untouched and the others changed. Tickets the actor may not see
are reported exactly like tickets that do not exist. The API and the queue page both call
`bulk_change_tickets` with the raw values of their request.
"""

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Team, User

from ..access import visible_tickets
from ..errors import ActionRefused
from ..lifecycle import require_agent
from ..models import Status
from ..queries import lookup, parse_id
from ._common import lock_ticket
from .assignment import assign_ticket
from .create import update_ticket_fields
from .status import delete_ticket, mark_spam, transition_ticket

BULK_ACTIONS = ("status", "assign", "spam", "delete", "tag")
MAX_BULK = 500
NOT_FOUND = "No such ticket."


@dataclass
class BulkResult:
    succeeded: list[int] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)


def parse_ids(ids) -> list[int]:
    """1 to 500 ticket ids (duplicates count once)."""
    if isinstance(ids, str | bytes) or not isinstance(ids, list | tuple):
        raise ActionRefused("Give a list of ticket ids.", "invalid", "ids")
    if not ids:
        raise ActionRefused("Choose at least one ticket.", "invalid", "ids")
    if len(ids) > MAX_BULK:
        raise ActionRefused(f"Change at most {MAX_BULK} tickets at once.", "invalid", "ids")
    return list(dict.fromkeys(parse_id(value, "ids") for value in ids))


def _tag_list(value, param: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or len(value) > 50:
        raise ActionRefused("Give a list of at most 50 tags.", "invalid", param)
    if not all(isinstance(v, str) and "\x00" not in v and len(v.strip()) <= 50 for v in value):
        raise ActionRefused("Tags are words of at most 50 characters.", "invalid", param)
    return [v.strip().lower() for v in value if v.strip()]


def _change(action: str, params: dict):
    """Check the input once, before any ticket; return a function that changes one ticket."""
    if action == "status":
        if params.get("status") in (None, ""):
            raise ActionRefused("Choose a status.", "invalid", "status")
        status = lookup(Status.objects.all(), params["status"], "status")
        notes = params.get("resolution_notes") or None
        if notes is not None and not isinstance(notes, str):
            raise ActionRefused("Give the resolution notes as text.", "invalid", "resolution_notes")
        return lambda pk, actor: transition_ticket(
            ticket=pk, actor=actor, status=status, resolution_notes=notes
        )
    if action == "assign":
        changes = _assignment(params)
        return lambda pk, actor: assign_ticket(ticket=pk, actor=actor, **changes)
    if action in ("spam", "delete"):
        hide = mark_spam if action == "spam" else delete_ticket
        return lambda pk, actor: hide(ticket=pk, actor=actor)
    if action == "tag":
        replace = params.get("tags")
        add, remove = (
            _tag_list(params.get("add_tags"), "add_tags"),
            _tag_list(params.get("remove_tags"), "remove_tags"),
        )
        if replace is None and not add and not remove:
            raise ActionRefused("Give tags to add or remove.", "invalid", "add_tags")
        replace = None if replace is None else _tag_list(replace, "tags")
        return lambda pk, actor: _retag(pk, actor, replace, add, remove)
    raise ActionRefused(f"Choose an action among: {', '.join(BULK_ACTIONS)}.", "invalid", "action")


def _assignment(params: dict) -> dict:
    """`assignee` (id or email, `none`) and/or `team` (id or name, `none`); omitted keys stay."""
    changes = {}
    if params.get("assignee") not in (None, ""):
        value = params["assignee"]
        if value == "none":
            changes["assignee"] = None
        else:
            changes["assignee"] = lookup(
                User.objects.filter(is_active=True), value, "assignee", by_name="email"
            )
            if not changes["assignee"].is_agent:
                raise ActionRefused("Tickets can only be assigned to active staff.", "invalid", "assignee")
    if params.get("team") not in (None, ""):
        value = params["team"]
        changes["team"] = None if value == "none" else lookup(Team.objects.all(), value, "team")
    if not changes:
        raise ActionRefused("Choose an assignee or a team (or none).", "invalid", "assignee")
    return changes


@transaction.atomic
def _retag(pk: int, actor, replace: list[str] | None, add: list[str], remove: list[str]):
    # Read the tags under the ticket's lock, so that a tag added meanwhile is not lost.
    ticket = lock_ticket(pk)
    names = set(replace) if replace is not None else {t.name for t in ticket.tags.all()}
    return update_ticket_fields(ticket=ticket, actor=actor, tags=sorted((names | set(add)) - set(remove)))


def bulk_change_tickets(*, actor, ids, action: str, **params) -> BulkResult:
    """Apply one action to each ticket of `ids`; report which succeeded and why others failed.

    The input (action, ids, status, assignee, team, tags) is checked before any ticket is
    touched: bad input refuses the whole request.
    """
    require_agent(actor, "Bulk changes")
    change = _change(action if isinstance(action, str) else "", params)
    ids = parse_ids(ids)
    visible = set(visible_tickets(actor).filter(pk__in=ids).values_list("pk", flat=True))
    result = BulkResult()
    for pk in ids:
        if pk not in visible:
            result.failed.append({"id": pk, "reason": NOT_FOUND})
            continue
        try:
            change(pk, actor)  # the action runs in its own transaction
        except ActionRefused as refused:
            reason = NOT_FOUND if refused.code == "not_found" else refused.reason
            result.failed.append({"id": pk, "reason": reason})
        else:
            result.succeeded.append(pk)
    return result
