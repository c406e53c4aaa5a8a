"""Purge now: delete every spam or deleted ticket at once, without waiting for its retention."""

import logging

from django.db import transaction

from ..errors import ActionRefused
from ..retention import PURGEABLE_KINDS, hidden_tickets
from .catalogue import require_admin

log = logging.getLogger(__name__)
PURGE_NOW_BATCH = 2_000


def purge_hidden_tickets(*, actor, kind: str, ids=None, batch: int = PURGE_NOW_BATCH) -> int:
    """Purge every ticket in a spam (or deleted) status, or those of `ids` among them (admin).

    Batch by batch, each in its own transaction, with the purge job's delete path
    (`tickets.jobs.purge_tickets`): a big purge never holds thousands of locks at once. Rows
    another transaction holds (a restore in progress) are skipped, and so survive if restored.
    """
    from ..purge import purge_tickets

    require_admin(actor, "Purging tickets")
    if kind not in PURGEABLE_KINDS:
        raise ActionRefused("Choose spam or deleted tickets to purge.", "invalid", "kind")
    qs = hidden_tickets(kind)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    total = 0
    while True:
        with transaction.atomic():
            claimed = list(
                qs.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:batch]
            )
            if not claimed:
                break
            purge_tickets(claimed)
        total += len(claimed)
    log.info("purge now: %s purged %d %s ticket(s)", actor.email, total, kind)
    return total
