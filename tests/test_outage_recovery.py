"""PostgreSQL and Redis restarted under a running app (issue #10, Reliability): while one is down
the app answers 503 at once (no hang, no traceback), once it is back the app answers again by
itself (same gunicorn, same workers), and every ticket whose creation got a 201 is there.

The app runs as in production (gunicorn, helpdesk.settings.prod) against a PostgreSQL cluster
and a Redis server of this test's own (tests/process_support.py), never the shared ones.
"""

import http.client
import json
import time
from dataclasses import dataclass, field

import psycopg
import pytest
from rest_framework.test import APIClient

from helpdesk.errors import server_error
from tests.process_support import (
    BIN,
    PrivatePostgres,
    PrivateRedis,
    Process,
    app_env,
    manage,
    wait_until,
)
from tests.tickets.mail_support import free_port

UNAVAILABLE = "The service is unavailable for a moment. Please try again."
CLIENT_TIMEOUT = 10  # seconds: an answer slower than this counts as a hang
SEED = """
from django.test import Client
from rest_framework.authtoken.models import Token
from accounts.actions import create_user
from tickets.models import Category
user = create_user(email="loop@example.com", name="Loop Customer", password="pass-word-123")
client = Client()
client.force_login(user)
print(Token.objects.create(user=user).key, Category.objects.create(name="Hardware").pk,
      client.cookies["sessionid"].value)
"""


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict
    seconds: float

    def json(self):
        return json.loads(self.body)


@dataclass
class App:
    """The running app and its two services, with the request loop's record."""

    port: int
    token: str
    category: int
    session: str
    pg: PrivatePostgres
    redis: PrivateRedis
    server: Process
    created: dict[int, str] = field(default_factory=dict)  # every ticket that got a 201

    def call(self, method: str, path: str, body: dict | None = None, *, web: bool = False) -> Answer:
        headers = {"Cookie": f"sessionid={self.session}"} if web else {"Authorization": f"Token {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=CLIENT_TIMEOUT)
        started = time.monotonic()
        try:
            connection.request(
                method, path, body=json.dumps(body) if body is not None else None, headers=headers
            )
            response = connection.getresponse()
            return Answer(
                response.status, response.read(), dict(response.headers), time.monotonic() - started
            )
        finally:
            connection.close()

    def round(self) -> list[int]:
        """One turn of the loop: create a ticket, then read it (or an older one) back."""
        subject = f"Outage loop {len(self.created)}-{time.monotonic_ns()}"
        created = self.call(
            "POST",
            "/api/v1/tickets/",
            {"subject": subject, "description": "Still there?", "category": self.category},
        )
        if created.status == 201:
            self.created[created.json()["id"]] = subject
        known = created.json()["id"] if created.status == 201 else min(self.created)
        read = self.call("GET", f"/api/v1/tickets/{known}/")
        for answer in (created, read):
            if answer.status == 503:
                assert answer.json() == {
                    "detail": "The service is unavailable for a moment. Please try again."
                }
                assert answer.headers["Retry-After"] == "5"
        return [created.status, read.status]

    def workers(self) -> set[int]:
        return set(self.server.children())


@pytest.fixture
def app(tmp_path):
    pg, redis = PrivatePostgres(), PrivateRedis(tmp_path)
    server = None
    try:
        pg.start()
        pg.createdb("helpdesk")
        redis.start()
        env = app_env(pg.url("helpdesk"), redis.url(), API_RATE_USER="100000/min", CONN_MAX_AGE="600")
        manage(env, "migrate", "--noinput", "-v0")
        token, category, session = manage(env, "shell", "-c", SEED).splitlines()[-1].split()
        port = free_port()
        server = Process(
            [str(BIN / "gunicorn"), "helpdesk.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
            + ["--timeout", "30", "--graceful-timeout", "2"],
            env,
            tmp_path / "gunicorn.log",
        )
        running = App(port, token, int(category), session, pg, redis, server)
        wait_until(lambda: _answers(running), 30, f"gunicorn to answer\n{server.output()}", interval=0.2)
        yield running
    finally:
        if server is not None:
            server.kill()
        redis.stop()
        pg.destroy()


def _answers(app: App) -> bool:
    try:
        return app.call("GET", "/api/v1/me/").status == 200
    except OSError:
        return False


def _recovers(app: App) -> bool:
    return app.round() == [201, 200]


def test_the_app_answers_503_during_an_outage_and_recovers_by_itself_losing_nothing(app):
    for _ in range(4):  # both gunicorn workers hold a database connection (CONN_MAX_AGE)
        assert app.round() == [201, 200]
    workers = app.workers()
    assert len(workers) == 2

    app.pg.stop("immediate")  # a crash: the open connections die without a goodbye
    for _ in range(3):
        assert app.round() == [503, 503]
    page = app.call("GET", "/portal/", web=True)
    assert page.status == 503 and b"Unavailable for a moment" in page.body and b"Traceback" not in page.body
    app.pg.start()  # crash recovery from the WAL
    wait_until(lambda: _recovers(app), 30, "the app to use PostgreSQL again", interval=0.2)
    for _ in range(4):
        assert app.round() == [201, 200]

    app.redis.stop()  # the cache (rate limits) and the Celery broker
    for _ in range(3):
        assert app.round() == [503, 503]
    app.redis.start()
    wait_until(lambda: _recovers(app), 30, "the app to use Redis again", interval=0.2)
    for _ in range(4):
        assert app.round() == [201, 200]

    # Recovered by itself: the same gunicorn workers served every answer, none was restarted.
    assert app.server.alive() and app.workers() == workers, app.server.output()
    with psycopg.connect(app.pg.url("helpdesk")) as db:
        stored = dict(db.execute("SELECT id, subject FROM tickets_ticket").fetchall())
    assert len(app.created) == 14
    assert {pk: stored.get(pk) for pk in app.created} == app.created


@pytest.mark.django_db
def test_an_unreachable_cache_answers_503_in_json_in_process(people, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(people.dave)
    response = client.get("/api/v1/me/")  # the rate limit counts in the cache
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"detail": UNAVAILABLE}


@pytest.mark.parametrize(
    ("path", "body"), [("/api/v1/me/", b'{"detail": "Server error."}'), ("/", b"went wrong")]
)
def test_any_other_error_stays_a_500(rf, path, body):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get(path))
    assert response.status_code == 500 and body in response.content and not response.has_header("Retry-After")
