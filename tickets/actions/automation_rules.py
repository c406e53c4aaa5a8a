"""Automation rules as admins configure them (issue 12): add, change, delete.

The model's `clean` is the one set of rules, the one Django admin applies too; saving or
deleting a rule forgets the cached events with rules (`tickets.automation._forget_events`).
"""

from django.db import transaction

from ..errors import ActionRefused
from ..models_automation import AutomationRule
from ._config import delete_config, save_config

WHAT = "Changing automation rules"
# The fields a caller may set, in the order the API shows them.
RULE_FIELDS = (
    "name",
    "active",
    "order",
    "event",
    "idle_hours",
    "if_category",
    "if_priority",
    "if_status_kind",
    "if_team",
    "if_tag",
    "if_requester_domain",
    "if_subject_contains",
    "if_body_contains",
    "set_status",
    "set_priority",
    "set_team",
    "set_assignee",
    "add_tags",
    "add_note",
    "reply_text",
)


@transaction.atomic
def save_automation_rule(*, actor, rule: AutomationRule | None = None, **values) -> AutomationRule:
    """Add a rule, or change the given fields of `rule`; `add_tags` is a list of tag names."""
    unknown = sorted(set(values) - set(RULE_FIELDS))
    if unknown:
        raise ActionRefused("Unknown field.", "invalid", unknown[0])
    if "add_tags" in values:
        values["add_tags"] = _tags_text(values["add_tags"])
    return save_config(actor=actor, instance=rule or AutomationRule(), values=values, what=WHAT)


@transaction.atomic
def delete_automation_rule(*, actor, rule: AutomationRule) -> None:
    """Delete a rule (with the record of the idle periods it ran on)."""
    delete_config(actor=actor, instance=rule, what=WHAT)


def _tags_text(names) -> str:
    """The model keeps the tags as comma-separated text (as typed in admin)."""
    if isinstance(names, str) or not all(isinstance(name, str) for name in names or ()):
        raise ActionRefused("Give the tags as a list of names.", "invalid", "add_tags")
    if any("," in name for name in names):
        raise ActionRefused("A tag name cannot hold a comma.", "invalid", "add_tags")
    return ", ".join(name.strip() for name in names if name.strip())
