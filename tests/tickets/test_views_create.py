"""New ticket pages (staff and portal) and the Category → Type → Item cascade partial."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from attachments.models import Attachment
from tests.factories import CategoryFactory, ItemFactory, TicketTypeFactory, priority
from tickets.actions import update_settings
from tickets.models import HelpdeskSettings, Ticket

pytestmark = pytest.mark.django_db


def form_data(category, **extra):
    return {
        "subject": "Laptop will not boot",
        "description": "Black screen.",
        "category": category.pk,
        **extra,
    }


class TestStaffNewTicket:
    def test_form_renders_with_requester_email_and_priority(self, client, people):
        client.force_login(people.bob)
        response = client.get(reverse("ticket_create"))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="requester_email"' in body and 'name="priority"' in body
        assert '<label class="form-label" for="id_subject">' in body

    def test_staff_creates_a_ticket_for_a_new_customer_by_email(self, client, people):
        client.force_login(people.bob)
        data = form_data(people.category, requester_email="zoe@example.com", priority=priority("High").pk)
        response = client.post(reverse("ticket_create"), data)
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response.url == reverse("ticket_detail", args=[ticket.pk])
        assert ticket.requester.email == "zoe@example.com" and ticket.requester.is_customer
        assert ticket.priority.name == "High"

    def test_staff_without_requester_email_opens_it_for_themselves(self, client, people):
        client.force_login(people.bob)
        client.post(reverse("ticket_create"), form_data(people.category, tags="printer, urgent"))
        ticket = Ticket.objects.get()
        assert ticket.requester == people.bob
        assert sorted(t.name for t in ticket.tags.all()) == ["printer", "urgent"]

    def test_empty_subject_is_a_field_error_and_nothing_written(self, client, people):
        client.force_login(people.bob)
        response = client.post(reverse("ticket_create"), form_data(people.category, subject="   "))
        assert response.status_code == 400
        assert response.context["form"].errors["subject"]
        assert not Ticket.objects.exists()

    def test_type_of_another_category_is_a_field_error_and_nothing_written(self, client, people):
        TicketTypeFactory(category=people.category, name="Printer")
        foreign = TicketTypeFactory(category=CategoryFactory(name="Software"), name="Email")
        client.force_login(people.bob)
        response = client.post(reverse("ticket_create"), form_data(people.category, type=foreign.pk))
        assert response.status_code == 400
        assert response.context["form"].errors["type"] == [
            "This type does not belong to the chosen category."
        ]
        body = response.content.decode()
        assert "This type does not belong to the chosen category." in body
        assert 'aria-describedby="id_type_error"' in body
        assert not Ticket.objects.exists()

    def test_missing_type_where_the_category_has_types_is_a_field_error(self, client, people):
        kind = TicketTypeFactory(category=people.category, name="Printer")
        client.force_login(people.bob)
        response = client.post(reverse("ticket_create"), form_data(people.category))
        assert response.status_code == 400
        assert response.context["form"].errors["type"] == ["Choose a type for this category."]
        assert f'<option value="{kind.pk}">Printer</option>' in response.content.decode()
        assert not Ticket.objects.exists()

    def test_type_and_item_of_the_chain_are_accepted(self, client, people):
        kind = TicketTypeFactory(category=people.category, name="Printer")
        item = ItemFactory(type=kind, name="Toner")
        client.force_login(people.bob)
        client.post(reverse("ticket_create"), form_data(people.category, type=kind.pk, item=item.pk))
        ticket = Ticket.objects.get()
        assert (ticket.type, ticket.item) == (kind, item)

    def test_missing_category_is_a_field_error(self, client, people):
        client.force_login(people.bob)
        response = client.post(reverse("ticket_create"), {**form_data(people.category), "category": ""})
        assert response.status_code == 400 and response.context["form"].errors["category"]
        assert not Ticket.objects.exists()

    def test_customer_gets_404(self, client, people):
        client.force_login(people.dave)
        assert client.get(reverse("ticket_create")).status_code == 404
        assert client.post(reverse("ticket_create"), form_data(people.category)).status_code == 404
        assert not Ticket.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, people):
        response = client.post(reverse("ticket_create"), form_data(people.category))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert not Ticket.objects.exists()


class TestPortalNewTicket:
    def test_form_has_no_requester_email_and_no_priority_by_default(self, client, people):
        client.force_login(people.dave)
        body = client.get(reverse("portal_create")).content.decode()
        assert 'name="subject"' in body
        assert 'name="requester_email"' not in body and 'name="priority"' not in body
        assert 'name="tags"' not in body

    def test_priority_is_offered_when_the_admin_allows_it(self, client, people):
        HelpdeskSettings.objects.filter(pk=1).update(customer_sets_priority=True)  # the admin's switch
        client.force_login(people.dave)
        assert 'name="priority"' in client.get(reverse("portal_create")).content.decode()
        client.post(reverse("portal_create"), form_data(people.category, priority=priority("High").pk))
        assert Ticket.objects.get().priority.name == "High"

    def test_priority_sent_without_permission_is_ignored(self, client, people):
        client.force_login(people.dave)
        client.post(reverse("portal_create"), form_data(people.category, priority=priority("Emergency").pk))
        assert Ticket.objects.get().priority.name == "Normal"

    def test_customer_creates_a_ticket_for_themselves(self, client, people):
        client.force_login(people.dave)
        data = form_data(people.category, requester_email="someone@example.com")
        response = client.post(reverse("portal_create"), data)
        ticket = Ticket.objects.get()
        assert response.url == reverse("portal_ticket", args=[ticket.pk])
        assert ticket.requester == people.dave
        assert not User.objects.filter(email="someone@example.com").exists()

    def test_type_of_another_category_is_a_field_error_and_nothing_written(self, client, people):
        foreign = TicketTypeFactory(category=CategoryFactory(name="Software"))
        client.force_login(people.dave)
        response = client.post(reverse("portal_create"), form_data(people.category, type=foreign.pk))
        assert response.status_code == 400
        assert response.context["form"].errors["type"]
        assert not Ticket.objects.exists()

    def test_empty_description_is_a_field_error(self, client, people):
        client.force_login(people.dave)
        response = client.post(reverse("portal_create"), form_data(people.category, description=""))
        assert response.status_code == 400 and response.context["form"].errors["description"]
        assert not Ticket.objects.exists()

    def test_staff_are_sent_to_the_staff_form(self, client, people):
        client.force_login(people.bob)
        assert client.get(reverse("portal_create")).url == reverse("ticket_create")

    def test_anonymous_is_sent_to_login(self, client, people):
        response = client.post(reverse("portal_create"), form_data(people.category))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert not Ticket.objects.exists()


class TestNewTicketWithFiles:
    def test_the_files_are_attached_to_the_new_ticket(self, client, people, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        client.force_login(people.dave)
        upload = SimpleUploadedFile("log.txt", b"printer log", content_type="text/plain")
        response = client.post(reverse("portal_create"), {**form_data(people.category), "files": [upload]})
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response.url == reverse("portal_ticket", args=[ticket.pk])
        assert [a.filename for a in ticket.attachments.all()] == ["log.txt"]

    def test_a_refused_file_is_a_field_error_and_nothing_written(self, client, people, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        client.force_login(people.bob)
        users = User.objects.count()
        data = form_data(people.category, requester_email="zoe@example.com")
        files = [
            SimpleUploadedFile("log.txt", b"printer log", content_type="text/plain"),
            SimpleUploadedFile("fix.sh", b"#!/bin/sh\necho hi\n", content_type="text/plain"),
        ]
        response = client.post(reverse("ticket_create"), {**data, "files": files})
        assert response.status_code == 400
        assert "not accepted" in response.context["form"].errors["files"][0]
        assert not Ticket.objects.exists() and not Attachment.objects.exists()
        assert User.objects.count() == users
        assert not [p for p in tmp_path.rglob("*") if p.is_file()]


class TestCtiOptionsPartial:
    def test_category_select_asks_for_its_children(self, client, people):
        client.force_login(people.dave)
        body = client.get(reverse("portal_create")).content.decode()
        assert f'hx-get="{reverse("cti_options")}"' in body and 'hx-target="#cti-children"' in body

    def test_types_of_the_chosen_category_only(self, client, people):
        mine = TicketTypeFactory(category=people.category, name="Printer")
        TicketTypeFactory(category=CategoryFactory(name="Software"), name="Email")
        client.force_login(people.dave)
        response = client.get(reverse("cti_options"), {"category": people.category.pk})
        body = response.content.decode()
        assert response.status_code == 200
        assert f'<option value="{mine.pk}">Printer</option>' in body and "Email" not in body
        assert 'name="item"' not in body

    def test_items_of_the_chosen_type(self, client, people):
        kind = TicketTypeFactory(category=people.category, name="Printer")
        toner = ItemFactory(type=kind, name="Toner")
        ItemFactory(name="Keyboard")
        client.force_login(people.bob)
        body = client.get(reverse("cti_options"), {"category": people.category.pk, "type": kind.pk}).content
        body = body.decode()
        assert f'<option value="{kind.pk}" selected>Printer</option>' in body
        assert f'<option value="{toner.pk}">Toner</option>' in body and "Keyboard" not in body

    def test_category_without_types_shows_no_selects(self, client, people):
        client.force_login(people.dave)
        body = client.get(reverse("cti_options"), {"category": people.category.pk}).content.decode()
        assert "<select" not in body

    def test_type_of_another_category_gives_no_items(self, client, people):
        foreign = TicketTypeFactory(category=CategoryFactory(name="Software"))
        ItemFactory(type=foreign, name="Outlook")
        client.force_login(people.dave)
        body = client.get(
            reverse("cti_options"), {"category": people.category.pk, "type": foreign.pk}
        ).content
        assert b"Outlook" not in body

    @pytest.mark.parametrize("category", ["", "abc", "-1", "99999999999999999999999"])
    def test_bad_ids_give_an_empty_partial(self, client, people, category):
        client.force_login(people.dave)
        response = client.get(reverse("cti_options"), {"category": category, "type": "x"})
        assert response.status_code == 200 and b"<select" not in response.content

    def test_anonymous_is_sent_to_login_while_guest_submission_is_off(self, client, people):
        update_settings(actor=people.alice, guest_submission_enabled=False)
        response = client.get(reverse("cti_options"), {"category": people.category.pk})
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
