"""Fuzz the REST API from its own OpenAPI schema (schemathesis), in-process through WSGI.

Every operation gets a bounded, derandomized set of generated requests, sent with an admin's
token. No answer may be a server error, and every answer's body must match the schema of its
status code where the schema documents one (schemathesis' response_schema_conformance).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from accounts.models import Role
from helpdesk.wsgi import application
from tests.factories import make_ticket, make_user

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def admin_token(db, settings):
    # The fuzzer sends hundreds of requests a minute and many wrong logins: no limits here.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    settings.LOGIN_LOCKOUT = {"account": [(10**9, 1)], "ip": [(10**9, 1)]}
    # Requests go straight to the WSGI app, not through Django's test client: keep the test's
    # connection (and its transaction) open across requests, as the test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    admin = make_user(Role.ADMIN, email="fuzz-admin@example.com", name="Fuzz Admin")
    make_ticket(admin, subject="Fuzz target")
    yield Token.objects.create(user=admin).key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_api_operation_answers_a_server_error(case, admin_token):
    response = case.call(headers={"Authorization": f"Token {admin_token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
