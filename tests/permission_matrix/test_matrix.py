"""Permission matrix: every URL pattern of the project × every role, with the answer API.md expects.

The rows live in `rows/` (one module per area) and the row format in `matrix.py`. Each role runs
inside a savepoint rolled back after it, so every role sees the same ticket set; a refused write
must leave `snapshot` as it was.
"""

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.permission_matrix.matrix import call, is_refusal, snapshot
from tests.permission_matrix.rows import ROWS

CASES = [
    pytest.param(route, index, id=f"{case.method}:{route or '/'}#{index}")
    for route, cases in ROWS.items()
    for index, case in enumerate(cases)
]


@pytest.mark.parametrize(("route", "index"), CASES)
def test_permission_matrix(db, world, route, index):
    case = ROWS[route][index]
    wrong = []
    for role, expected in case.statuses().items():
        cache.clear()
        with transaction.atomic():
            before = snapshot(world) if case.method != "get" else None
            path, response = call(world, case, route, role)
            if response.status_code != expected:
                wrong.append(f"{role}: {response.status_code} (expected {expected})")
            elif case.method != "get" and is_refusal(response) and snapshot(world) != before:
                wrong.append(f"{role}: refused with {response.status_code} but changed data")
            transaction.set_rollback(True)
    assert not wrong, f"{case.method.upper()} {path}: " + "; ".join(wrong)
