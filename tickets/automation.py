"""Automation rules: which rules an event concerns, which tickets they match, and the hook.

The actions call `queue_automation(event, ticket, actor)` once; after the commit, when some
active rule listens to that event, `run_automation_task` runs the rules in order
(tickets/actions/automation.py). Loop safety lives here: what the automation actor does
never queues an event, so no rule triggers another (or itself); and a ticket takes at most
`RUNS_PER_TICKET_PER_HOUR` rule runs an hour (`take_run`), whatever else goes wrong.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import Role

from .models import HIDDEN_KINDS, WORKING_KINDS, Message, StatusKind, Ticket
from .models_automation import PLACEHOLDER, AutomationEvent, AutomationRule
from .ratelimit import Limit, count_hit

AUTOMATION_EMAIL = "automation@helpdesk.invalid"
RUNS_PER_TICKET_PER_HOUR = 10
RUNS_LIMIT = Limit("automation-runs", RUNS_PER_TICKET_PER_HOUR, 3600)
PREVIEW_LIMIT = 100
EVENTS_CACHE_KEY = "automation:events"
# Not "open" for the preview, and never acted on by the idle rules.
FINISHED_KINDS = HIDDEN_KINDS | {StatusKind.CLOSED}


def is_automation(actor) -> bool:
    return getattr(actor, "email", None) == AUTOMATION_EMAIL


def via_label(rule: AutomationRule) -> str:
    """What the history shows as the actor of a rule's changes."""
    return f"Automation: {rule.name}"


# --- The hook ------------------------------------------------------------------------------


def queue_automation(event: str, ticket: Ticket, actor) -> None:
    """After the commit, run the rules listening to `event` on `ticket` (if there are any).

    A change made by the automation actor queues nothing: that is what keeps a rule that sets a
    status from re-triggering the "status changed" rules, itself included.
    """
    if is_automation(actor):
        return
    ticket_id = ticket.pk
    transaction.on_commit(lambda: _dispatch(event, ticket_id))


def _dispatch(event: str, ticket_id: int) -> None:
    if event not in events_with_active_rules():
        return  # the common case: no task, no query
    from .tasks import run_automation_task

    run_automation_task.delay(event, ticket_id)


def events_with_active_rules() -> frozenset[str]:
    """The events some active rule listens to; cached until a rule is saved or deleted."""
    events = cache.get(EVENTS_CACHE_KEY)
    if events is None:
        events = sorted(set(AutomationRule.objects.filter(active=True).values_list("event", flat=True)))
        cache.set(EVENTS_CACHE_KEY, events, 3600)
    return frozenset(events)


@receiver([post_save, post_delete], sender=AutomationRule)
def _forget_events(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(EVENTS_CACHE_KEY))
    cache.delete(EVENTS_CACHE_KEY)


def take_run(ticket_id: int, now: datetime | None = None) -> bool:
    """Count one rule run on the ticket this hour; False once the hour's cap is reached."""
    now = now or timezone.now()
    return count_hit(RUNS_LIMIT, str(ticket_id), now.timestamp()) <= RUNS_LIMIT.limit


# --- Conditions ----------------------------------------------------------------------------


def rule_conditions(rule: AutomationRule) -> Q:
    """The rule's conditions as one filter on tickets (every empty one matches everything).

    The one definition used both to decide on a single ticket and to preview the matches.
    """
    q = Q()
    if rule.if_category_id:
        q &= Q(category_id=rule.if_category_id)
    if rule.if_priority_id:
        q &= Q(priority_id=rule.if_priority_id)
    if rule.if_status_kind:
        q &= Q(status__kind=rule.if_status_kind)
    if rule.if_team_id:
        q &= Q(team_id=rule.if_team_id)
    if rule.if_tag_id:
        tagged = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag_id=rule.if_tag_id)
        q &= Q(Exists(tagged))
    if rule.if_requester_domain:
        q &= Q(requester__email__iendswith="@" + rule.if_requester_domain.strip().lstrip("@"))
    if rule.if_subject_contains:
        q &= Q(subject__icontains=rule.if_subject_contains)
    if rule.if_body_contains:
        text = rule.if_body_contains
        replies = Message.objects.filter(
            ticket_id=OuterRef("pk"),
            internal=False,
            deleted=False,
            author__role=Role.CUSTOMER,
            body__icontains=text,
        )
        q &= Q(description__icontains=text) | Q(Exists(replies))
    return q


def actionable_tickets() -> QuerySet:
    """The tickets rules may act on: not spam, deleted, draft or archived."""
    return Ticket.objects.exclude(status__kind__in=HIDDEN_KINDS).filter(
        status__is_draft=False, archived_at__isnull=True
    )


def rule_matches(rule: AutomationRule, ticket_id: int) -> bool:
    return actionable_tickets().filter(pk=ticket_id).filter(rule_conditions(rule)).exists()


def idle_tickets(rule: AutomationRule, now: datetime) -> QuerySet:
    """Tickets in a working status with no update for the rule's hours, matching it."""
    cutoff = now - timedelta(hours=rule.idle_hours or 0)
    return (
        actionable_tickets()
        .filter(status__kind__in=WORKING_KINDS, updated_at__lt=cutoff)
        .filter(rule_conditions(rule))
    )


def preview_rule(rule: AutomationRule, now: datetime | None = None) -> tuple[int, list[Ticket]]:
    """The open tickets the rule's conditions match now: how many, and the first 100.

    A dry run: it reads and changes nothing. Idle rules show the tickets idle long enough.
    """
    if rule.event == AutomationEvent.IDLE:
        qs = idle_tickets(rule, now or timezone.now())
    else:
        qs = actionable_tickets().exclude(status__kind__in=FINISHED_KINDS).filter(rule_conditions(rule))
    count = qs.count()
    rows = list(qs.select_related("status", "requester").order_by("-updated_at", "-id")[:PREVIEW_LIMIT])
    return count, rows


# --- Canned reply --------------------------------------------------------------------------


def render_reply(text: str, ticket: Ticket) -> str:
    """Fill the placeholders of a canned reply ({{ ticket.number }}, {{ requester.name }}, ...)."""
    values = {
        "ticket.number": str(ticket.pk),
        "ticket.subject": ticket.subject,
        "requester.name": ticket.requester.display_name,
        "requester.email": ticket.requester.email,
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
