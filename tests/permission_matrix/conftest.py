"""The matrix's data, built once for the package (see `world.py`).

Building the ticket sets took more time than the requests, so they are made once, inside a
transaction that is rolled back when the package's tests are done; each test (pytest-django's
`db`) and each role (`transaction.atomic` in the tests) runs in a savepoint inside it, rolled
back after it, so every request still sees exactly this data.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.permission_matrix.world import build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One ticket set for the whole package, rolled back at its end (see the module docstring)."""
    files = tmp_path_factory.mktemp("matrix-files")
    with (
        override_settings(MEDIA_ROOT=str(files), ATTACHMENT_DIR=str(files)),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)
