"""Webhooks: events queued on commit, signed, delivered to a real local HTTP server, retried,
logged; and no request at all to loopback, private or link-local addresses unless allowed."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets import actions
from tickets.errors import ActionRefused
from tickets.jobs import close_expired_resolved
from tickets.models import Ticket, Webhook, WebhookDelivery
from tickets.tasks import deliver_webhook_task
from tickets.webhooks import DeliveryRefused, deliver, is_public, resolve_destination

from ..factories import make_ticket
from .lifecycle_helpers import named

ALL_EVENTS = ["ticket.created", "ticket.status_changed", "message.added", "ticket.assigned"]


class Endpoint:
    """A real HTTP server on 127.0.0.1 that records every request and answers from a script."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict]] = []  # consumed in order; then 200
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, headers = endpoint.answers.pop(0) if endpoint.answers else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/desk"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.requests]


@pytest.fixture
def endpoint():
    server = Endpoint()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def retries_inline(monkeypatch):
    """Run Celery's retries at once, in the test (eager tasks otherwise raise Retry)."""
    monkeypatch.setitem(deliver_webhook_task.app.conf, "task_eager_propagates", False)


@pytest.fixture
def no_traffic(monkeypatch):
    """Fail the test if anything opens a connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was opened: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)


def hook(url, events=("ticket.created",), allow_private=True, **kwargs) -> Webhook:
    return Webhook.objects.create(
        name="CRM", url=url, secret="s3cret", events=list(events), allow_private=allow_private, **kwargs
    )


def expected_signature(body: bytes, secret: str = "s3cret") -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class TestDelivery:
    def test_a_new_ticket_is_posted_signed_to_a_local_endpoint_the_admin_allowed(
        self, people, endpoint, commit
    ):
        hook(endpoint.url)
        with commit():
            ticket = make_ticket(people.dave, people.category, subject="Printer jam")
        (request,) = endpoint.requests
        assert request["path"] == "/hooks/desk"
        assert request["headers"]["X-Helpdesk-Signature"] == expected_signature(request["body"])
        assert request["headers"]["X-Helpdesk-Event"] == "ticket.created"
        assert request["headers"]["Content-Type"] == "application/json"
        payload = json.loads(request["body"])
        assert payload["event"] == "ticket.created"
        assert payload["ticket"]["number"] == ticket.pk and payload["ticket"]["subject"] == "Printer jam"
        assert payload["ticket"]["requester"]["email"] == "dave@example.com"
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status_code, delivery.attempts, delivery.error) == (200, 1, "")
        assert delivery.delivered_at is not None and delivery.response_excerpt == "ok"
        assert delivery.ticket_id == ticket.pk

    def test_status_reply_and_assignment_events_follow_the_actions(self, people, ticket, endpoint, commit):
        hook(endpoint.url, events=ALL_EVENTS)
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=named("In progress"))
        with commit():
            actions.add_message(ticket=ticket, actor=people.bob, body="On it")
        with commit():
            actions.add_message(ticket=ticket, actor=people.bob, body="Check the fuse", internal=True)
        with commit():
            actions.assign_ticket(ticket=ticket, actor=people.bob, assignee=people.bob)
        assert endpoint.events() == [
            "ticket.status_changed",
            "message.added",
            "message.added",
            "ticket.assigned",
        ]
        status, reply, note, assigned = (json.loads(r["body"]) for r in endpoint.requests)
        assert status["data"]["before"]["kind"] == "new" and status["data"]["after"]["name"] == "In progress"
        assert reply["data"]["message"]["body"] == "On it" and reply["data"]["message"]["internal"] is False
        assert note["data"]["message"]["internal"] is True
        assert assigned["ticket"]["assignee"]["email"] == "bob@example.com"
        assert assigned["data"]["changed"] == ["assignee"]

    def test_the_auto_close_job_sends_its_status_changes(
        self, people, ticket, endpoint, commit, time_machine
    ):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        hook(endpoint.url, events=["ticket.status_changed"])
        time_machine.move_to(timezone.now() + timedelta(days=8), tick=False)
        with commit():
            assert close_expired_resolved() == 1
        (request,) = endpoint.requests
        payload = json.loads(request["body"])
        assert (
            payload["data"]["before"]["kind"] == "resolved" and payload["data"]["after"]["kind"] == "closed"
        )
        assert payload["data"]["auto"] is True and payload["ticket"]["status"]["kind"] == "closed"

    def test_the_auto_close_job_without_webhooks_queues_nothing(
        self, people, ticket, time_machine, django_capture_on_commit_callbacks
    ):
        actions.resolve_ticket(ticket=ticket, actor=people.bob)
        time_machine.move_to(timezone.now() + timedelta(days=8), tick=False)
        with django_capture_on_commit_callbacks() as queued:
            assert close_expired_resolved() == 1
        assert queued == []

    def test_only_active_webhooks_subscribed_to_the_event_get_it(self, people, ticket, endpoint, commit):
        hook(endpoint.url, events=["message.added"])
        hook(endpoint.url, events=["ticket.status_changed"], active=False)
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=named("In progress"))
        assert endpoint.requests == [] and not WebhookDelivery.objects.exists()

    def test_nothing_is_queued_before_the_commit_or_when_the_action_is_refused(
        self, people, ticket, endpoint, django_capture_on_commit_callbacks
    ):
        hook(endpoint.url, events=ALL_EVENTS)
        with django_capture_on_commit_callbacks(execute=False) as queued:
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=named("In progress"))
        assert endpoint.requests == [] and not WebhookDelivery.objects.exists()
        for callback in queued:
            callback()
        assert endpoint.events() == ["ticket.status_changed"]
        with django_capture_on_commit_callbacks(execute=True) as queued, pytest.raises(ActionRefused):
            actions.transition_ticket(ticket=ticket, actor=people.dave, status=named("Resolved"))
        assert queued == [] and len(endpoint.requests) == 1

    def test_spam_tickets_send_nothing(self, people, ticket, endpoint, commit):
        hook(endpoint.url, events=ALL_EVENTS)
        with commit():
            actions.mark_spam(ticket=ticket, actor=people.bob)
        assert endpoint.requests == []

    def test_a_failing_endpoint_never_breaks_the_action(self, people, endpoint, commit):
        hook(endpoint.url)
        endpoint.answers = [(500, {})]
        with commit():
            ticket = make_ticket(people.dave, people.category)
        assert Ticket.objects.filter(pk=ticket.pk).exists()
        delivery = WebhookDelivery.objects.get()
        assert (delivery.attempts, delivery.status_code, delivery.error) == (1, 500, "HTTP 500")

    def test_a_server_error_is_retried_until_it_is_delivered(self, people, ticket, endpoint, retries_inline):
        (delivery_id,) = _logged(hook(endpoint.url), ticket)
        endpoint.answers = [(500, {}), (503, {})]
        assert deliver_webhook_task.apply(args=[delivery_id]).result == "delivered"
        assert len(endpoint.requests) == 3
        bodies = {r["body"] for r in endpoint.requests}
        assert len(bodies) == 1  # the same signed body each time
        delivery = WebhookDelivery.objects.get()
        assert (delivery.attempts, delivery.status_code, delivery.error) == (3, 200, "")

    def test_an_endpoint_that_keeps_failing_is_given_up_after_the_retries(
        self, people, ticket, endpoint, retries_inline
    ):
        webhook = hook(endpoint.url)
        endpoint.answers = [(502, {})] * 20
        (delivery_id,) = _logged(webhook, ticket)
        result = deliver_webhook_task.apply(args=[delivery_id])
        assert result.failed()
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        assert delivery.attempts == 9 == len(endpoint.requests)  # the first try and 8 retries
        assert delivery.delivered_at is None and delivery.error == "HTTP 502"

    def test_a_client_error_is_logged_and_not_retried(self, people, ticket, endpoint):
        delivery_id = _logged(hook(endpoint.url), ticket)[0]
        endpoint.answers = [(410, {})]
        assert deliver(delivery_id) == "failed"
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        assert (delivery.attempts, delivery.status_code, delivery.error) == (1, 410, "HTTP 410")
        assert len(endpoint.requests) == 1

    def test_a_redirect_is_not_followed(self, people, ticket, endpoint):
        delivery_id = _logged(hook(endpoint.url), ticket)[0]
        endpoint.answers = [(302, {"Location": f"http://127.0.0.1:{endpoint.port}/elsewhere"})]
        assert deliver(delivery_id) == "failed"
        assert [r["path"] for r in endpoint.requests] == ["/hooks/desk"]
        assert WebhookDelivery.objects.get(pk=delivery_id).error == "HTTP 302"

    def test_a_delivery_made_is_not_sent_twice(self, people, ticket, endpoint):
        delivery_id = _logged(hook(endpoint.url), ticket)[0]
        assert deliver(delivery_id) == "delivered"
        assert deliver(delivery_id) == "skipped"
        assert len(endpoint.requests) == 1

    def test_the_connection_goes_to_the_address_that_was_checked(self, people, ticket, endpoint, monkeypatch):
        """A host name is resolved once; the request reaches the checked address with its own Host."""
        real = socket.getaddrinfo
        calls = []

        def fake_dns(host, *args, **kwargs):
            calls.append(host)
            return (
                real("127.0.0.1", *args, **kwargs)
                if host == "hooks.example.test"
                else real(host, *args, **kwargs)
            )

        monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
        delivery_id = _logged(hook(f"http://hooks.example.test:{endpoint.port}/in"), ticket)[0]
        assert deliver(delivery_id) == "delivered"
        assert calls[0] == "hooks.example.test" and set(calls[1:]) <= {"127.0.0.1"}  # no second name lookup
        assert endpoint.requests[0]["headers"]["Host"] == f"hooks.example.test:{endpoint.port}"


def _logged(webhook: Webhook, ticket) -> list[int]:
    """A delivery row for `ticket.created`, as dispatch logs it (without sending it)."""
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="ticket.created", ticket=ticket, payload={"event": "ticket.created"}
    )
    return [delivery.pk]


class TestSSRFProtection:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:{port}/hook",
            "http://localhost:{port}/hook",
            "http://10.1.2.3/hook",
            "http://172.16.0.1/hook",
            "http://192.168.1.10/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:{port}/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://[fe80::1]/hook",
            "http://[fd00::1]/hook",
            "http://0.0.0.0/hook",
            "http://224.0.0.1/hook",
            "http://240.0.0.1/hook",
            "http://100.64.0.1/hook",
        ],
    )
    def test_private_addresses_are_refused_without_any_traffic(
        self, people, ticket, endpoint, no_traffic, url
    ):
        webhook = hook(url.format(port=endpoint.port), allow_private=False)
        delivery_id = _logged(webhook, ticket)[0]
        assert deliver(delivery_id) == "refused"
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        assert delivery.error.startswith("Refused:") and delivery.status_code is None
        assert delivery.delivered_at is None and delivery.attempts == 1
        assert endpoint.requests == []

    def test_a_refused_destination_is_not_retried(self, people, ticket, no_traffic):
        delivery_id = _logged(hook("http://10.0.0.1/", allow_private=False), ticket)[0]
        assert deliver_webhook_task.apply(args=[delivery_id]).result == "refused"
        assert WebhookDelivery.objects.get(pk=delivery_id).attempts == 1

    def test_a_name_with_one_private_address_among_public_ones_is_refused(self, monkeypatch, no_traffic):
        def fake_dns(host, port, *args, **kwargs):
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
            ]

        monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
        with pytest.raises(DeliveryRefused, match="10.0.0.7"):
            resolve_destination("https://hooks.example.test/in", allow_private=False)

    def test_a_public_address_passes_the_check(self, monkeypatch):
        monkeypatch.setattr(
            socket,
            "getaddrinfo",
            lambda host, port, *a, **k: [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))
            ],
        )
        assert resolve_destination("https://hooks.example.test/in", allow_private=False) == (
            "https",
            "hooks.example.test",
            443,
            "93.184.215.14",
        )

    @pytest.mark.parametrize(
        "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://127.0.0.1/", "http:///x"]
    )
    def test_only_http_and_https_are_allowed(self, url, no_traffic):
        with pytest.raises(DeliveryRefused):
            resolve_destination(url, allow_private=True)

    @pytest.mark.parametrize(
        "address, public",
        [
            ("8.8.8.8", True),
            ("2606:4700::1111", True),
            ("127.0.0.2", False),
            ("::", False),
            ("fe80::1%1", False),
        ],
    )
    def test_which_addresses_are_public(self, address, public):
        assert is_public(address) is public


class TestAdmin:
    def test_the_admin_configures_webhooks_and_reads_the_delivery_log(self, client, people, ticket):
        client.force_login(people.alice)
        response = client.post(
            reverse("admin:tickets_webhook_add"),
            {
                "name": "CRM",
                "url": "https://crm.example.com/hook",
                "events": ["ticket.created", "message.added"],
                "active": "on",
                "secret": "abc",
            },
        )
        assert response.status_code == 302
        webhook = Webhook.objects.get()
        assert webhook.events == ["ticket.created", "message.added"] and webhook.allow_private is False
        _logged(webhook, ticket)
        assert client.get(reverse("admin:tickets_webhookdelivery_changelist")).status_code == 200
        assert client.get(reverse("admin:tickets_webhookdelivery_add")).status_code == 403

    def test_staff_who_are_not_admins_cannot_open_it(self, client, people):
        client.force_login(people.bob)
        response = client.get(reverse("admin:tickets_webhook_changelist"))
        assert response.status_code == 302 and "/login/" in response["Location"]
