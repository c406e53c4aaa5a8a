"""Shared fixtures: named personas and API clients.

- alice: admin; bob: staff with view_all; carol: restricted staff (no view_all) in team Blue;
- dave: customer (the requester); erin: another customer (outsider).
"""

import importlib
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.actions import update_user
from accounts.models import Role
from tests.factories import CategoryFactory, TeamFactory, make_ticket, make_user


def _uses_db(request) -> tuple[bool, bool]:
    """(uses the database, is transactional) for the test being set up."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & names
    )
    return bool(marker) or transactional or "db" in names, transactional


@pytest.fixture(autouse=True)
def _seed_after_flush(request):
    """Make sure what the data migrations seed (statuses, priorities, settings) is there.

    A transactional test empties every table when it ends, and with `--dist loadfile` a
    worker may run plain database tests after one. Seeding is idempotent and costs two
    queries when nothing is missing.
    """
    uses_db, transactional = _uses_db(request)
    if not uses_db:
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_seeded()


def ensure_seeded():
    """Put back what the data migrations seed, if a flush removed it (idempotent)."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from tickets.models import Status

    if not Permission.objects.filter(codename="view_all").exists():
        # post_migrate made it; a flush at the end of a transactional test removed it.
        ContentType.objects.clear_cache()
        ticket_type, _ = ContentType.objects.get_or_create(app_label="tickets", model="ticket")
        Permission.objects.get_or_create(
            codename="view_all", content_type=ticket_type, defaults={"name": "Can see every ticket"}
        )
    if not Status.objects.exists():
        importlib.import_module("tickets.migrations.0002_seed_defaults").seed(apps, None)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def people(db):
    return make_people()


def make_people() -> SimpleNamespace:
    blue = TeamFactory(name="Blue")
    red = TeamFactory(name="Red")
    alice = make_user(Role.ADMIN, email="alice@example.com", name="Alice Admin")
    bob = make_user(Role.STAFF, email="bob@example.com", name="Bob Agent", teams=[red])
    carol = make_user(Role.STAFF, email="carol@example.com", name="Carol Restricted", teams=[blue])
    update_user(user=carol, view_all=False)
    dave = make_user(Role.CUSTOMER, email="dave@example.com", name="Dave Customer")
    erin = make_user(Role.CUSTOMER, email="erin@example.com", name="Erin Outsider")
    category = CategoryFactory(name="Hardware")
    return SimpleNamespace(
        alice=alice, bob=bob, carol=carol, dave=dave, erin=erin, blue=blue, red=red, category=category
    )


@pytest.fixture
def ticket(people):
    """A new ticket raised by dave in Hardware, not assigned."""
    return make_ticket(people.dave, people.category)


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    return api_client
