"""Webhooks through the API (admins only): list, add, read, change, delete, the delivery log; the
secret is never answered back, and the URL is checked as in admin (no private addresses)."""

import socket

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from tests.factories import make_ticket
from tickets.actions.webhooks import delete_webhook, save_webhook
from tickets.errors import ActionRefused
from tickets.models import Webhook, WebhookDelivery
from tickets.webhooks import deliver

from .api_support import NOT_ADMINS, caller

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"
SECRET = "a-long-shared-secret-0123456789"
PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://10.1.2.3/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
]


def detail(webhook) -> str:
    return f"{URL}{webhook.pk}/"


def snapshot() -> tuple:
    """Every webhook and delivery as stored, and the admin log."""
    return (
        list(Webhook.objects.order_by("pk").values()),
        list(WebhookDelivery.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )


@pytest.fixture
def crm(people):
    return Webhook.objects.create(
        name="CRM", url="https://crm.example.com/hook", secret=SECRET, events=["ticket.created"]
    )


@pytest.fixture
def no_traffic(monkeypatch):
    """Fail the test if anything opens a connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was opened: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)


def log(webhook, ticket, n=1) -> list[WebhookDelivery]:
    return WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook=webhook, event="ticket.created", ticket=ticket, payload={"n": i})
            for i in range(n)
        ]
    )


class TestCrud:
    def test_admin_adds_a_webhook_and_its_secret_is_kept_not_shown(self, api, people):
        body = {
            "name": "CRM",
            "url": "https://crm.example.com/hook",
            "events": ["ticket.created", "message.added", "ticket.created"],
            "secret": SECRET,
        }
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["events"] == ["ticket.created", "message.added"]
        assert data["active"] is True and data["allow_private"] is False
        assert "secret" not in data and SECRET not in response.content.decode()
        webhook = Webhook.objects.get()
        assert webhook.secret == SECRET and webhook.url == "https://crm.example.com/hook"
        assert LogEntry.objects.get().object_id == str(webhook.pk)

    def test_no_answer_ever_holds_the_secret(self, api, people, crm, ticket):
        log(crm, ticket)
        client = api(people.alice)
        answers = [
            client.get(URL),
            client.get(detail(crm)),
            client.patch(detail(crm), {"name": "CRM 2"}, format="json"),
            client.get(f"{detail(crm)}deliveries/"),
        ]
        assert [a.status_code for a in answers] == [200] * 4
        assert not [a for a in answers if SECRET in a.content.decode() or '"secret"' in a.content.decode()]

    def test_admin_lists_the_webhooks_by_name(self, api, people, crm):
        Webhook.objects.create(name="Alerts", url="https://alerts.example.com/", events=["ticket.assigned"])
        response = api(people.alice).get(URL)
        assert response.status_code == 200
        assert [w["name"] for w in response.json()["results"]] == ["Alerts", "CRM"]

    def test_admin_reads_one_webhook(self, api, people, crm):
        data = api(people.alice).get(detail(crm)).json()
        assert data["id"] == crm.pk and data["url"] == crm.url and data["events"] == ["ticket.created"]

    def test_admin_changes_the_secret_and_other_fields_stay(self, api, people, crm):
        body = {"secret": "new-secret-value", "active": False}
        response = api(people.alice).patch(detail(crm), body, format="json")
        assert response.status_code == 200, response.content
        crm.refresh_from_db()
        assert crm.secret == "new-secret-value" and crm.active is False and crm.name == "CRM"
        entry = LogEntry.objects.get()
        assert "secret" in entry.change_message and "new-secret-value" not in entry.change_message

    def test_admin_deletes_a_webhook_and_its_log(self, api, people, crm, ticket):
        log(crm, ticket, 2)
        assert api(people.alice).delete(detail(crm)).status_code == 204
        assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()

    @pytest.mark.parametrize(
        ("method", "path"), [("get", ""), ("patch", ""), ("delete", ""), ("get", "deliveries/")]
    )
    def test_an_unknown_webhook_is_a_404(self, api, people, method, path):
        response = getattr(api(people.alice), method)(f"{URL}999999/{path}", {}, format="json")
        assert response.status_code == 404

    def test_the_list_costs_the_same_for_one_webhook_and_many(
        self, api, people, crm, django_assert_num_queries
    ):
        client = api(people.alice)
        # 1 count, 1 page of webhooks
        with django_assert_num_queries(2):
            assert client.get(URL).json()["count"] == 1
        for n in range(12):
            Webhook.objects.create(name=f"W{n}", url="https://example.com/", events=["ticket.created"])
        with django_assert_num_queries(2):
            assert client.get(URL).json()["count"] == 13


class TestDeliveryLog:
    def test_admin_reads_a_webhooks_deliveries_newest_first(self, api, people, crm, ticket):
        first, second = log(crm, ticket, 2)
        other = Webhook.objects.create(name="Other", url="https://example.com/", events=["ticket.created"])
        log(other, ticket)
        WebhookDelivery.objects.filter(pk=first.pk).update(status_code=200, attempts=1)
        response = api(people.alice).get(f"{detail(crm)}deliveries/")
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [r["id"] for r in rows] == [second.pk, first.pk]
        assert rows[1]["status_code"] == 200 and rows[1]["attempts"] == 1 and rows[1]["ticket"] == ticket.pk
        assert rows[1]["payload"] == {"n": 0} and rows[1]["delivered_at"] is None

    def test_the_log_is_read_only(self, api, people, crm, ticket):
        log(crm, ticket)
        before = snapshot()
        client = api(people.alice)
        answers = [
            client.post(f"{detail(crm)}deliveries/", {}, format="json"),
            client.delete(f"{detail(crm)}deliveries/"),
        ]
        assert [a.status_code for a in answers] == [405, 405]
        assert snapshot() == before

    def test_the_log_costs_the_same_for_one_delivery_and_many(
        self, api, people, crm, ticket, django_assert_num_queries
    ):
        log(crm, ticket)
        client = api(people.alice)
        # 1 the webhook, 1 count, 1 page of deliveries
        with django_assert_num_queries(3):
            assert client.get(f"{detail(crm)}deliveries/").json()["count"] == 1
        log(crm, ticket, 15)
        with django_assert_num_queries(3):
            assert client.get(f"{detail(crm)}deliveries/").json()["count"] == 16


class TestRefused:
    @pytest.mark.parametrize(("who", "code"), NOT_ADMINS)
    def test_nobody_but_an_admin_reads_or_writes_webhooks(self, api, people, crm, ticket, who, code):
        log(crm, ticket)
        before = snapshot()
        client = caller(api, people, who)
        body = {"name": "Mine", "url": "https://example.com/", "events": ["ticket.created"], "secret": "x"}
        answers = [
            client.get(URL),
            client.post(URL, body, format="json"),
            client.get(detail(crm)),
            client.patch(detail(crm), {"url": "https://evil.example.com/"}, format="json"),
            client.delete(detail(crm)),
            client.get(f"{detail(crm)}deliveries/"),
        ]
        assert [a.status_code for a in answers] == [code] * len(answers)
        assert snapshot() == before


class TestActions:
    @pytest.mark.parametrize("who", ["bob", "carol", "dave"])
    def test_only_admins_save_or_delete_webhooks(self, people, crm, who):
        actor = getattr(people, who)
        before = snapshot()
        values = {"name": "Mine", "url": "https://example.com/", "events": ["ticket.created"], "secret": "s"}
        attempts = [
            lambda: save_webhook(actor=actor, **values),
            lambda: save_webhook(actor=actor, webhook=crm, url="https://evil.example.com/"),
            lambda: delete_webhook(actor=actor, webhook=crm),
        ]
        for attempt in attempts:
            with pytest.raises(ActionRefused) as refused:
                attempt()
            assert refused.value.code == "forbidden"
        assert snapshot() == before


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"url": "not a url"}, "url"),
            ({"url": "ftp://example.com/x"}, "url"),
            ({"url": "https://example.com/" + "x" * 500}, "url"),
            ({"url": "https://example.com:99999/"}, "url"),
            ({"events": []}, "events"),
            ({"events": ["ticket.deleted"]}, "events"),
            ({"events": "ticket.created"}, "events"),
            ({"events": [{"a": 1}]}, "events"),
            ({"secret": ""}, "secret"),
            ({"secret": None}, "secret"),
            ({"active": "maybe"}, "active"),
        ],
    )
    def test_a_bad_webhook_is_a_400_naming_the_field_and_nothing_is_saved(self, api, people, changes, field):
        body = {"name": "CRM", "url": "https://crm.example.com/", "events": ["ticket.created"], "secret": "s"}
        response = api(people.alice).post(URL, body | changes, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert snapshot() == ([], [], 0)

    def test_the_secret_is_required_to_add_one(self, api, people):
        body = {"name": "CRM", "url": "https://crm.example.com/", "events": ["ticket.created"]}
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 400 and "secret" in response.json()
        assert not Webhook.objects.exists()

    def test_a_bad_change_is_a_400_and_changes_nothing(self, api, people, crm):
        before = snapshot()
        response = api(people.alice).patch(detail(crm), {"events": ["nope"]}, format="json")
        assert response.status_code == 400 and "events" in response.json()
        assert snapshot() == before


class TestPrivateAddresses:
    @pytest.mark.parametrize("url", PRIVATE_URLS)
    def test_a_private_address_is_refused_unless_allowed(self, api, people, url):
        body = {"name": "Local", "url": url, "events": ["ticket.created"], "secret": SECRET}
        response = api(people.alice).post(URL, body, format="json")
        assert response.status_code == 400 and "url" in response.json(), response.content
        assert "private" in response.json()["url"][0] and not Webhook.objects.exists()
        response = api(people.alice).post(URL, body | {"allow_private": True}, format="json")
        assert response.status_code == 201 and Webhook.objects.get().allow_private is True

    def test_admin_refuses_the_same_address_with_the_same_check(self, client, people):
        client.force_login(people.alice)
        response = client.post(
            reverse("admin:tickets_webhook_add"),
            {"name": "Local", "url": "http://169.254.169.254/", "events": ["ticket.created"], "secret": "s"},
        )
        assert response.status_code == 200 and not Webhook.objects.exists()
        assert "private" in str(response.context["adminform"].form.errors["url"])

    def test_turning_allow_private_off_on_a_private_address_is_refused(self, api, people):
        local = Webhook.objects.create(
            name="Local", url="http://127.0.0.1:9000/", events=["ticket.created"], allow_private=True
        )
        before = snapshot()
        response = api(people.alice).patch(detail(local), {"allow_private": False}, format="json")
        assert response.status_code == 400 and "url" in response.json()
        assert snapshot() == before

    def test_a_name_that_resolves_to_a_private_address_is_refused_at_delivery(
        self, api, people, monkeypatch, no_traffic, django_capture_on_commit_callbacks
    ):
        body = {"name": "CRM", "url": "https://hooks.example.test/in", "events": ["ticket.created"]}
        response = api(people.alice).post(URL, body | {"secret": SECRET}, format="json")
        assert response.status_code == 201  # a name is resolved at each delivery, not once when saved
        monkeypatch.setattr(
            socket,
            "getaddrinfo",
            lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))],
        )
        with django_capture_on_commit_callbacks(execute=True):
            make_ticket(people.dave, people.category)
        delivery = WebhookDelivery.objects.get()
        assert deliver(delivery.pk) == "refused"
        delivery.refresh_from_db()
        assert delivery.error.startswith("Refused:") and "10.0.0.7" in delivery.error
