"""Webhooks as admins configure them (issue 11): add, change, delete.

The model's `clean` holds the rules Django admin applies, the URL check among them
(`tickets.webhooks.check_url`, which every delivery runs again with the resolved address).
"""

from django.db import transaction

from ..errors import ActionRefused
from ..models import Webhook
from ._config import delete_config, save_config

WHAT = "Changing webhooks"
WEBHOOK_FIELDS = frozenset({"name", "url", "secret", "events", "active", "allow_private"})


@transaction.atomic
def save_webhook(*, actor, webhook: Webhook | None = None, **values) -> Webhook:
    """Add a webhook, or change the given fields of `webhook`."""
    unknown = sorted(set(values) - WEBHOOK_FIELDS)
    if unknown:
        raise ActionRefused("Unknown field.", "invalid", unknown[0])
    events = values.get("events")
    if isinstance(events, list) and all(isinstance(event, str) for event in events):
        values["events"] = list(dict.fromkeys(values["events"]))  # each event once, in the given order
    return save_config(actor=actor, instance=webhook or Webhook(), values=values, what=WHAT)


@transaction.atomic
def delete_webhook(*, actor, webhook: Webhook) -> None:
    """Delete a webhook and its delivery log; deliveries still queued find nothing to send."""
    delete_config(actor=actor, instance=webhook, what=WHAT)
