"""Purge now: delete every spam or deleted ticket at once, without waiting for its retention."""

import logging

from ..errors import ActionRefused
from ..purge import purge_in_batches
from ..retention import PURGEABLE_KINDS, hidden_tickets
from .catalogue import require_admin

log = logging.getLogger(__name__)
PURGE_NOW_BATCH = 2_000


def purge_hidden_tickets(*, actor, kind: str, ids=None, batch: int = PURGE_NOW_BATCH) -> int:
    """Purge every ticket in a spam (or deleted) status, or those of `ids` among them (admin).

    With the purge job's batches (`tickets.purge.purge_in_batches`): rows another transaction
    holds (a restore in progress) are skipped, and so survive if restored.
    """
    require_admin(actor, "Purging tickets")
    if kind not in PURGEABLE_KINDS:
        raise ActionRefused("Choose spam or deleted tickets to purge.", "invalid", "kind")
    qs = hidden_tickets(kind)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    total = purge_in_batches(qs, batch)
    log.info("purge now: %s purged %d %s ticket(s)", actor.email, total, kind)
    return total
