"""Running automation rules: each rule's actions through the normal domain actions.

The actor is one staff account kept for the purpose (`automation@helpdesk.invalid`, no usable
password); while a rule runs, every history row also says "Automation: <rule name>". Rules run
in order on the ticket as the previous rule left it. A refused action (say, a status that a
missing field forbids) is noted in the rule's history row and the other actions still run.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.actions import create_user
from accounts.models import Role, User

from ..automation import (
    AUTOMATION_EMAIL,
    idle_tickets,
    render_reply,
    rule_matches,
    take_run,
    via_label,
)
from ..errors import ActionRefused
from ..models import Ticket
from ..models_automation import AutomationEvent, AutomationIdleRun, AutomationRule
from ._common import record
from ._context import acting_for
from .assignment import UNSET, assign_ticket
from .conversation import add_message
from .create import update_ticket_fields
from .status import transition_ticket

log = logging.getLogger(__name__)
IDLE_BATCH = 500


def automation_actor() -> User:
    """The staff account rules act as, made on first use."""
    user = User.objects.filter(email=AUTOMATION_EMAIL).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return create_user(email=AUTOMATION_EMAIL, name="Automation", role=Role.STAFF, password=None)
    except IntegrityError:  # another worker made it at the same moment
        return User.objects.get(email=AUTOMATION_EMAIL)


def run_automation(*, event: str, ticket_id: int, run_key: str | None = None) -> int:
    """Run the active rules of `event` on a ticket, in order; return how many ran.

    Called after the triggering change committed (never inside it): a failing rule cannot
    undo the change that triggered it. `run_key` (the task's id) makes a second delivery of
    the same event a no-op.
    """
    if event not in AutomationEvent.values or event == AutomationEvent.IDLE:
        return 0  # idle rules run from the periodic job
    if run_key and not cache.add(f"automation:done:{run_key}", 1, 24 * 3600):
        return 0
    rules = list(AutomationRule.objects.filter(active=True, event=event).order_by("order", "id"))
    actor = None
    ran = 0
    for rule in rules:
        if not rule_matches(rule, ticket_id):
            continue
        actor = actor or automation_actor()
        if not take_run(ticket_id):
            log.warning("automation: ticket #%s reached its hourly cap of rule runs", ticket_id)
            break
        apply_rule(rule=rule, ticket_id=ticket_id, actor=actor, event=event)
        ran += 1
    return ran


@transaction.atomic
def apply_rule(*, rule: AutomationRule, ticket_id: int, actor, event: str) -> list[str]:
    """Do the rule's actions on the ticket as `actor`; return the reasons of refused ones."""
    refused = []
    with acting_for(via_label(rule)):
        for step in STEPS:
            ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
            if ticket is None:
                return refused  # purged meanwhile
            try:
                with transaction.atomic():
                    step(rule, ticket, actor)
            except ActionRefused as exc:
                refused.append(exc.reason)
        after = {"rule": rule.name, "event": event, **({"refused": refused} if refused else {})}
        record(ticket, actor, "automation", None, after)
    return refused


# The rule's actions, in this order; each calls one domain action, or nothing when not set.
def _set_status(rule: AutomationRule, ticket: Ticket, actor) -> None:
    if rule.set_status_id and rule.set_status_id != ticket.status_id:
        transition_ticket(ticket=ticket, actor=actor, status=rule.set_status)


def _set_priority(rule: AutomationRule, ticket: Ticket, actor) -> None:
    if rule.set_priority_id:
        update_ticket_fields(ticket=ticket, actor=actor, priority=rule.set_priority)


def _assign(rule: AutomationRule, ticket: Ticket, actor) -> None:
    if rule.set_team_id or rule.set_assignee_id:
        assignee = rule.set_assignee if rule.set_assignee_id else UNSET
        assign_ticket(
            ticket=ticket, actor=actor, assignee=assignee, team=rule.set_team if rule.set_team_id else UNSET
        )


def _add_tags(rule: AutomationRule, ticket: Ticket, actor) -> None:
    if rule.tag_names():
        tags = [*ticket.tags.values_list("name", flat=True), *rule.tag_names()]
        update_ticket_fields(ticket=ticket, actor=actor, tags=tags)


def _add_note(rule: AutomationRule, ticket: Ticket, actor) -> None:
    if rule.add_note.strip():
        add_message(ticket=ticket, actor=actor, body=rule.add_note, internal=True)


def _send_reply(rule: AutomationRule, ticket: Ticket, actor) -> None:
    if rule.reply_text.strip():
        add_message(ticket=ticket, actor=actor, body=render_reply(rule.reply_text, ticket))


STEPS = (_set_status, _set_priority, _assign, _add_tags, _add_note, _send_reply)


# One statement claims a batch: a row per (rule, ticket, idle period), inserted only if absent
# and only while the ticket is still idle, so two runs at once, or a second run, claim nothing twice.
CLAIM_SQL = """
INSERT INTO {run} (rule_id, ticket_id, idle_since, ran_at)
SELECT %(rule)s, t.id, t.updated_at, %(now)s FROM {ticket} t
WHERE t.id = ANY(%(ids)s) AND t.updated_at < %(cutoff)s
ON CONFLICT (rule_id, ticket_id, idle_since) DO NOTHING
RETURNING ticket_id
"""


def run_idle_rules(
    now: datetime | None = None, batch: int = IDLE_BATCH, progress: Callable | None = None
) -> int:
    """The periodic job: run each active idle rule once per idle period of each ticket.

    An idle period is identified by the ticket's `updated_at`: a ticket idle since the same
    moment is claimed once per rule; any update (a rule's own included) starts a new period.
    """
    now = now or timezone.now()
    rules = list(
        AutomationRule.objects.filter(active=True, event=AutomationEvent.IDLE, idle_hours__gt=0).order_by(
            "order", "id"
        )
    )
    done = 0
    actor = None
    for rule in rules:
        due = idle_tickets(rule, now)
        while True:
            claimed = _claim_idle(rule, due, now, batch)
            if not claimed:
                break
            actor = actor or automation_actor()
            for ticket_id in claimed:
                if take_run(ticket_id, now):
                    apply_rule(rule=rule, ticket_id=ticket_id, actor=actor, event=AutomationEvent.IDLE)
                    done += 1
            if progress:
                progress(done)
    return done


def _claim_idle(rule: AutomationRule, due, now: datetime, batch: int) -> list[int]:
    ran = AutomationIdleRun.objects.filter(
        rule_id=rule.pk, ticket_id=OuterRef("pk"), idle_since=OuterRef("updated_at")
    )
    ids = list(due.exclude(Exists(ran)).order_by("updated_at", "id").values_list("pk", flat=True)[:batch])
    if not ids:
        return []
    quote = connection.ops.quote_name
    sql = CLAIM_SQL.format(run=quote(AutomationIdleRun._meta.db_table), ticket=quote(Ticket._meta.db_table))
    params = {"rule": rule.pk, "now": now, "ids": ids, "cutoff": now - timedelta(hours=rule.idle_hours)}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())
