"""Account pages: login by email, logout, password change and reset, the home redirect, the menu."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # tests.factories.UserFactory's


class TestLogin:
    def test_page_asks_for_an_email_address(self, client):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        body = response.content.decode()
        assert '<label class="form-label" for="id_username">Email address' in body
        assert 'type="email"' in body and 'type="password"' in body

    def test_staff_log_in_by_email_and_land_on_the_queue(self, client, people):
        response = client.post(
            reverse("login"), {"username": "bob@example.com", "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("ticket_list")
        assert response.context["user"] == people.bob

    def test_email_is_matched_whatever_its_case(self, client, people):
        client.post(reverse("login"), {"username": "Dave@Example.com", "password": PASSWORD})
        assert client.get(reverse("home")).url == reverse("portal")

    def test_wrong_password_shows_an_error_and_does_not_log_in(self, client, people):
        response = client.post(reverse("login"), {"username": "bob@example.com", "password": "nope"})
        assert response.status_code == 200
        assert "Please enter a correct email and password" in response.content.decode()
        assert client.get(reverse("home")).url == reverse("login")

    def test_next_is_followed_after_login(self, client, people, ticket):
        url = reverse("ticket_detail", args=[ticket.pk])
        response = client.post(
            reverse("login") + f"?next={url}",
            {"username": "bob@example.com", "password": PASSWORD, "next": url},
        )
        assert response.url == url

    def test_logged_in_person_is_sent_home(self, client, people):
        client.force_login(people.dave)
        assert client.get(reverse("login")).url == reverse("home")


class TestLogout:
    def test_post_logs_out(self, client, people):
        client.force_login(people.bob)
        response = client.post(reverse("logout"))
        assert response.status_code == 302 and response.url == reverse("login")
        assert client.get(reverse("home")).url == reverse("login")

    def test_get_does_not_log_out(self, client, people):
        client.force_login(people.bob)
        assert client.get(reverse("logout")).status_code == 405
        assert client.get(reverse("home")).url == reverse("ticket_list")


class TestHome:
    def test_anonymous_goes_to_login(self, client):
        assert client.get(reverse("home")).url == reverse("login")

    @pytest.mark.parametrize(
        ("persona", "page"), [("alice", "ticket_list"), ("bob", "ticket_list"), ("dave", "portal")]
    )
    def test_each_role_goes_to_its_start_page(self, client, people, persona, page):
        client.force_login(getattr(people, persona))
        assert client.get(reverse("home")).url == reverse(page)


class TestPasswordChange:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(reverse("password_change"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_password_is_changed(self, client, people):
        client.force_login(people.dave)
        data = {
            "old_password": PASSWORD,
            "new_password1": "a-new-secret-42",
            "new_password2": "a-new-secret-42",
        }
        response = client.post(reverse("password_change"), data)
        assert response.url == reverse("password_change_done")
        people.dave.refresh_from_db()
        assert people.dave.check_password("a-new-secret-42")

    def test_wrong_old_password_changes_nothing(self, client, people):
        client.force_login(people.dave)
        data = {
            "old_password": "wrong",
            "new_password1": "a-new-secret-42",
            "new_password2": "a-new-secret-42",
        }
        response = client.post(reverse("password_change"), data)
        assert response.status_code == 200 and response.context["form"].errors["old_password"]
        people.dave.refresh_from_db()
        assert people.dave.check_password(PASSWORD)


class TestPasswordReset:
    def test_reset_link_is_emailed_and_sets_a_new_password(self, client, people):
        response = client.post(reverse("password_reset"), {"email": "dave@example.com"})
        assert response.url == reverse("password_reset_done")
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dave@example.com"]
        link = re.search(r"https?://[^/]+(/password/reset/\S+/)", mail.outbox[0].body).group(1)
        form_page = client.get(link, follow=True)
        assert form_page.context["validlink"]
        data = {"new_password1": "a-new-secret-42", "new_password2": "a-new-secret-42"}
        done = client.post(form_page.redirect_chain[-1][0], data)
        assert done.url == reverse("password_reset_complete")
        people.dave.refresh_from_db()
        assert people.dave.check_password("a-new-secret-42")

    def test_unknown_address_sends_nothing_and_says_the_same(self, client, people):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
        assert response.url == reverse("password_reset_done")
        assert mail.outbox == []

    def test_bad_link_is_refused(self, client, people):
        response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
        assert response.status_code == 200 and not response.context["validlink"]


class TestNavigation:
    def nav(self, client, user=None) -> str:
        if user is not None:
            client.force_login(user)
        body = client.get(reverse("password_change") if user else reverse("login")).content.decode()
        return body[body.index("<header>") : body.index("</header>")]

    def test_admin_sees_queue_new_ticket_and_admin(self, client, people):
        nav = self.nav(client, people.alice)
        assert reverse("ticket_list") in nav and reverse("ticket_create") in nav
        assert reverse("admin:index") in nav and reverse("portal") not in nav

    def test_staff_see_queue_and_new_ticket_but_no_admin(self, client, people):
        nav = self.nav(client, people.bob)
        assert reverse("ticket_list") in nav and reverse("ticket_create") in nav
        assert reverse("admin:index") not in nav

    def test_customer_sees_my_tickets_and_new_ticket(self, client, people):
        nav = self.nav(client, people.dave)
        assert reverse("portal") in nav and reverse("portal_create") in nav
        assert reverse("ticket_list") not in nav

    def test_everyone_logged_in_has_password_change_and_logout(self, client, people):
        nav = self.nav(client, people.dave)
        assert reverse("password_change") in nav and f'action="{reverse("logout")}"' in nav

    def test_anonymous_sees_login_only(self, client):
        nav = self.nav(client)
        assert reverse("login") in nav and reverse("logout") not in nav

    def test_layout_has_landmarks_and_no_inline_script_or_cdn(self, client, people):
        client.force_login(people.bob)
        body = client.get(reverse("ticket_list")).content.decode()
        assert "<header>" in body and '<main id="main"' in body and "<footer" in body
        assert 'href="#main"' in body  # skip link
        assert "<script>" not in body and not re.search(r"<script(?![^>]*\bsrc=)", body)
        assert "cdn" not in body.lower()
        assert "/static/vendor/bootstrap/css/bootstrap.min.css" in body
        assert "/static/vendor/htmx/htmx.min.js" in body
