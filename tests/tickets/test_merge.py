"""Merge (issue 11): a duplicate goes into a target; conversation, files and people move over, the
source closes linked duplicate_of, its requester is told; across requesters only when confirmed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attachments.actions import attach_files
from attachments.models import Attachment
from links.models import TicketLink
from tests.factories import make_ticket
from tickets import actions
from tickets.actions.merge import merge_tickets
from tickets.errors import ActionRefused
from tickets.models import Message, StatusKind, TicketEvent

from .lifecycle_helpers import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(people):
    source = make_ticket(people.dave, people.category, subject="Printer smoking again")
    target = make_ticket(people.dave, people.category, subject="Printer is on fire")
    actions.add_message(ticket=source, actor=people.bob, body="Looking into it")
    attach_files(ticket=source, actor=people.dave, files=[SimpleUploadedFile("log.txt", b"x", "text/plain")])
    return source, target


def merge(people, source, target, **kwargs):
    return merge_tickets(actor=people.bob, source=source, target=target, **kwargs)


class TestMergeAction:
    def test_conversation_files_and_request_move_and_the_source_closes_as_duplicate(self, people, pair):
        source, target = pair
        merge(people, source, target)
        assert not Message.objects.filter(ticket=source).exists()
        bodies = list(Message.objects.filter(ticket=target).values_list("body", flat=True))
        assert "Looking into it" in bodies and any("Printer smoking again" in b for b in bodies)
        assert Attachment.objects.get().ticket_id == target.pk
        row = fresh(source)
        assert row.status.kind == StatusKind.CLOSED and row.close_reason == f"Merged into #{target.pk}"
        assert TicketLink.objects.filter(source=source, target=target, type="duplicate_of").exists()
        assert TicketLink.objects.filter(source=target, target=source, type="duplicated_by").exists()

    def test_history_on_both_tickets(self, people, pair):
        source, target = pair
        merge(people, source, target)
        assert TicketEvent.objects.get(ticket=source, action="merged").after["into"] == target.pk
        assert TicketEvent.objects.get(ticket=target, action="merged").after["from"] == source.pk

    def test_the_source_requester_is_emailed(
        self, people, pair, mailoutbox, django_capture_on_commit_callbacks
    ):
        source, target = pair
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            merge(people, source, target)
        merged = [m for m in mailoutbox if "Merged into another ticket" in m.subject]
        assert len(merged) == 1 and merged[0].to == ["dave@example.com"]
        assert f"ticket #{target.pk}" in merged[0].body

    def test_different_requesters_need_confirmation(self, people):
        source = make_ticket(people.erin, people.category)
        target = make_ticket(people.dave, people.category)
        with pytest.raises(ActionRefused) as refused:
            merge(people, source, target)
        assert refused.value.code == "conflict"
        assert fresh(source).status.kind == StatusKind.NEW and not TicketLink.objects.exists()
        merge(people, source, target, confirm_cross_customer=True)
        assert list(fresh(target).participants.all()) == [people.erin]

    @pytest.mark.parametrize("who", ["dave", "erin"])
    def test_customers_cannot_merge_and_nothing_changes(self, people, pair, who):
        source, target = pair
        with pytest.raises(ActionRefused) as refused:
            merge_tickets(actor=getattr(people, who), source=source, target=target)
        assert refused.value.code == "forbidden"
        assert Message.objects.filter(ticket=source).count() == 1 and not TicketLink.objects.exists()

    def test_no_merge_into_itself_or_a_closed_ticket(self, people, pair):
        source, target = pair
        with pytest.raises(ActionRefused):
            merge(people, source, source)
        actions.close_ticket(ticket=target, actor=people.bob)
        with pytest.raises(ActionRefused) as refused:
            merge(people, source, target)
        assert refused.value.field == "target" and fresh(source).status.kind == StatusKind.NEW


class TestMergeApi:
    def url(self, ticket):
        return f"/api/v1/tickets/{ticket.pk}/merge/"

    def test_staff_merge_and_get_the_target(self, api, people, pair):
        source, target = pair
        response = api(people.bob).post(self.url(source), {"target": target.pk}, format="json")
        assert response.status_code == 200 and response.json()["id"] == target.pk
        assert fresh(source).status.kind == StatusKind.CLOSED

    def test_across_requesters_409_until_confirmed(self, api, people):
        source, target = make_ticket(people.erin, people.category), make_ticket(people.dave, people.category)
        response = api(people.bob).post(self.url(source), {"target": target.pk}, format="json")
        assert response.status_code == 409 and fresh(source).status.kind == StatusKind.NEW
        response = api(people.bob).post(
            self.url(source), {"target": target.pk, "confirm": True}, format="json"
        )
        assert response.status_code == 200

    def test_customers_get_403_for_their_ticket_and_404_for_others(self, api, people, pair):
        source, target = pair
        assert (
            api(people.dave).post(self.url(source), {"target": target.pk}, format="json").status_code == 403
        )
        assert (
            api(people.erin).post(self.url(source), {"target": target.pk}, format="json").status_code == 404
        )
        assert fresh(source).status.kind == StatusKind.NEW

    @pytest.mark.parametrize("body", [{}, {"target": "x"}, {"target": 999999}])
    def test_bad_targets_are_400(self, api, people, pair, body):
        source, _ = pair
        assert api(people.bob).post(self.url(source), body, format="json").status_code == 400
        assert fresh(source).status.kind == StatusKind.NEW


class TestMergePage:
    def test_the_side_panel_merges_and_shows_the_target(self, client, people, pair):
        source, target = pair
        client.force_login(people.bob)
        assert (
            "Merge this ticket into"
            in client.get(reverse("ticket_detail", args=[source.pk])).content.decode()
        )
        response = client.post(reverse("ticket_merge", args=[source.pk]), {"target": str(target.pk)})
        assert response.status_code == 302 and response.url == reverse("ticket_detail", args=[target.pk])
        assert fresh(source).status.kind == StatusKind.CLOSED

    def test_across_requesters_the_page_asks_to_confirm(self, client, people):
        source, target = make_ticket(people.erin, people.category), make_ticket(people.dave, people.category)
        client.force_login(people.bob)
        response = client.post(reverse("ticket_merge", args=[source.pk]), {"target": target.pk})
        assert response.status_code == 409 and "Merge anyway" in response.content.decode()
        assert fresh(source).status.kind == StatusKind.NEW
        client.post(reverse("ticket_merge", args=[source.pk]), {"target": target.pk, "confirm": "1"})
        assert fresh(source).status.kind == StatusKind.CLOSED

    def test_bad_target_number_changes_nothing(self, client, people, pair):
        source, _ = pair
        client.force_login(people.bob)
        response = client.post(reverse("ticket_merge", args=[source.pk]), {"target": "abc"})
        assert response.status_code == 302 and fresh(source).status.kind == StatusKind.NEW
