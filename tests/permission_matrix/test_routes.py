"""A URL pattern without a row fails here, so a new endpoint cannot ship without deciding who may call it."""

from tests.permission_matrix.matrix import project_routes
from tests.permission_matrix.rows import ROWS


def test_every_url_pattern_has_a_row():
    missing = project_routes() - set(ROWS)
    stale = set(ROWS) - project_routes()
    assert not missing, f"new endpoint without a row in the permission matrix: {sorted(missing)}"
    assert not stale, f"rows for URL patterns that no longer exist: {sorted(stale)}"
