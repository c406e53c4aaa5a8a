"""Collision detection on the staff reply form, and the Markdown preview endpoint."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tickets import actions
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _loaded_at(ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).updated_at.isoformat()


def _reply(client, ticket, loaded_at, **extra):
    data = {"body": "My **answer**", "loaded_at": loaded_at, **extra}
    return client.post(reverse("ticket_reply", args=[ticket.pk]), data)


class TestReplyCollision:
    def test_a_reply_without_changes_since_loading_is_sent(self, client, people, ticket):
        client.force_login(people.bob)
        response = _reply(client, ticket, _loaded_at(ticket))
        assert response.status_code == 302
        assert Message.objects.filter(ticket=ticket, body="My **answer**").exists()

    def test_a_reply_after_someone_else_replied_is_held_with_a_warning(self, client, people, ticket):
        loaded_at = _loaded_at(ticket)
        actions.add_message(ticket=ticket, actor=people.alice, body="I have it")
        client.force_login(people.bob)
        response = _reply(client, ticket, loaded_at)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="collision-warning"' in html
        assert "Alice Admin replied" in html
        assert "Send anyway" in html
        assert "My **answer**" in html  # the text is kept in the form
        assert 'name="confirm" value="1"' in html
        assert not Message.objects.filter(ticket=ticket, body="My **answer**").exists()

    def test_a_field_change_by_someone_else_is_a_collision_too(self, client, people, ticket):
        loaded_at = _loaded_at(ticket)
        actions.assign_ticket(ticket=ticket, actor=people.alice, assignee=people.carol, team=people.blue)
        client.force_login(people.bob)
        response = _reply(client, ticket, loaded_at)
        assert response.status_code == 200
        assert "Alice Admin" in response.content.decode()
        assert not Message.objects.filter(ticket=ticket, body="My **answer**").exists()

    def test_send_anyway_posts_the_reply(self, client, people, ticket):
        loaded_at = _loaded_at(ticket)
        actions.add_message(ticket=ticket, actor=people.alice, body="I have it")
        client.force_login(people.bob)
        response = _reply(client, ticket, loaded_at, confirm="1")
        assert response.status_code == 302
        assert Message.objects.filter(ticket=ticket, body="My **answer**").exists()

    def test_the_users_own_changes_are_not_a_collision(self, client, people, ticket):
        loaded_at = _loaded_at(ticket)
        actions.assign_to_me(ticket=ticket, actor=people.bob)
        client.force_login(people.bob)
        assert _reply(client, ticket, loaded_at).status_code == 302
        assert Message.objects.filter(ticket=ticket, body="My **answer**").exists()

    @pytest.mark.parametrize("loaded_at", ["", "yesterday", "2026-13-45T99:00:00"])
    def test_a_missing_or_garbled_marker_does_not_block_the_reply(self, client, people, ticket, loaded_at):
        client.force_login(people.bob)
        assert _reply(client, ticket, loaded_at).status_code == 302
        assert Message.objects.filter(ticket=ticket, body="My **answer**").exists()

    def test_the_ticket_page_carries_the_marker(self, client, people, ticket):
        client.force_login(people.bob)
        html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        assert f'name="loaded_at" value="{_loaded_at(ticket)}"' in html

    def test_customers_and_hidden_tickets_still_get_404(self, client, people, ticket):
        loaded_at = (Ticket.objects.get(pk=ticket.pk).updated_at - timedelta(days=1)).isoformat()
        client.force_login(people.dave)
        assert _reply(client, ticket, loaded_at).status_code == 404
        client.force_login(people.carol)
        assert _reply(client, ticket, loaded_at).status_code == 404
        assert not Message.objects.filter(ticket=ticket, body="My **answer**").exists()


class TestMarkdownPreview:
    url = "/markdown/preview/"

    @pytest.mark.parametrize("who", ["bob", "dave"])
    def test_staff_and_customers_get_the_rendered_html(self, client, people, who):
        client.force_login(getattr(people, who))
        response = client.post(self.url, {"body": "Hello **world**"})
        assert response.status_code == 200
        assert "<strong>world</strong>" in response.content.decode()

    def test_unsafe_html_is_cleaned(self, client, people):
        client.force_login(people.bob)
        html = client.post(self.url, {"body": "<script>alert(1)</script> ok"}).content.decode()
        assert "<script>" not in html

    def test_anonymous_people_are_sent_to_log_in(self, client):
        assert client.post(self.url, {"body": "x"}).status_code == 302

    def test_get_is_not_allowed(self, client, people):
        client.force_login(people.bob)
        assert client.get(self.url).status_code == 405

    def test_it_is_csrf_protected(self, people):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(people.bob)
        assert strict.post(self.url, {"body": "x"}).status_code == 403

    def test_too_long_text_is_refused_with_400(self, client, people):
        client.force_login(people.bob)
        assert client.post(self.url, {"body": "x" * 50_001}).status_code == 400

    def test_the_reply_boxes_have_a_preview_button(self, client, people, ticket):
        client.force_login(people.bob)
        assert (
            'hx-post="/markdown/preview/"'
            in client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
        )
        client.force_login(people.dave)
        assert (
            'hx-post="/markdown/preview/"'
            in client.get(reverse("portal_ticket", args=[ticket.pk])).content.decode()
        )
