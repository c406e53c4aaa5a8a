"""The permission matrix across ticket states: each row of `state_rows` × each of its states.

Every role runs inside a savepoint rolled back after it. A refused write must change nothing; a
write answered with success must change something (so a page that redirects back with an error
cannot pass for one that did the work).
"""

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.permission_matrix.matrix import call, is_refusal, snapshot
from tests.permission_matrix.state_rows import STATE_ROWS
from tests.permission_matrix.world import in_state

CASES = [
    pytest.param(index, state, id=f"{state}:{row.case.method}:{row.route}")
    for index, row in enumerate(STATE_ROWS)
    for state in row.answers
]


@pytest.mark.parametrize(("index", "state"), CASES)
def test_permission_matrix_in_state(db, world, index, state):
    row = STATE_ROWS[index]
    w = in_state(world, state)
    wrong = []
    for role, (expected, unchanged) in row.case.answers(row.answers[state]).items():
        cache.clear()
        with transaction.atomic():
            before = snapshot(w) if row.case.method != "get" else None
            path, response = call(w, row.case, row.route, role)
            if response.status_code != expected:
                wrong.append(f"{role}: {response.status_code} (expected {expected})")
            elif row.case.method != "get":
                changed = snapshot(w) != before
                if changed and (unchanged or is_refusal(response)):
                    wrong.append(f"{role}: refused with {response.status_code} but changed data")
                elif not changed and not (unchanged or is_refusal(response)):
                    wrong.append(f"{role}: answered {response.status_code} but changed nothing")
            transaction.set_rollback(True)
    assert not wrong, f"[{state}] {row.case.method.upper()} {path}: " + "; ".join(wrong)
