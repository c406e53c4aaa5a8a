"""The matrix rows, one module per app or area; `ROWS` merges them.

A row is keyed by the URL resolver's route string and lists `C(method, url, expect, data)` cases
(see `tests.permission_matrix.matrix`). To add an endpoint, add its route to the module of its
area; a route in two modules is refused here.
"""

from tests.permission_matrix.rows import (
    accounts,
    attachments,
    guests,
    links,
    portal,
    staff_pages,
    tickets_api,
)

MODULES = (accounts, tickets_api, staff_pages, portal, guests, links, attachments)


def _merge() -> dict:
    merged: dict = {}
    for module in MODULES:
        twice = set(merged) & set(module.ROWS)
        assert not twice, f"routes with rows in two modules: {sorted(twice)}"
        merged.update(module.ROWS)
    return merged


ROWS = _merge()
