"""Purge now (issue 12): every spam or deleted ticket at once, after a confirmation with the count,
from the Spam / Deleted queues and from Django admin; admins only."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tickets import actions
from tickets.actions.retention import purge_hidden_tickets
from tickets.errors import ActionRefused
from tickets.models import Message, Ticket

from ..factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(people):
    """Two spam tickets, one deleted, one live."""
    spam = [make_ticket(people.dave, people.category, subject=f"Buy now {n}") for n in range(2)]
    for ticket in spam:
        actions.add_message(ticket=ticket, actor=people.dave, body="Cheap pills")
        actions.mark_spam(ticket=ticket, actor=people.bob)
    deleted = make_ticket(people.dave, people.category, subject="Wrong company")
    actions.delete_ticket(ticket=deleted, actor=people.bob)
    live = make_ticket(people.dave, people.category, subject="Real problem")
    return {"spam": spam, "deleted": deleted, "live": live}


def remaining() -> set[str]:
    return set(Ticket.objects.values_list("subject", flat=True))


ALL = {"Buy now 0", "Buy now 1", "Wrong company", "Real problem"}


class TestPurgeHiddenTicketsAction:
    def test_purges_every_ticket_of_the_kind_with_its_conversation(self, people, desk):
        assert purge_hidden_tickets(actor=people.alice, kind="spam") == 2
        assert remaining() == {"Wrong company", "Real problem"}
        assert not Message.objects.filter(ticket_id__in=[t.pk for t in desk["spam"]]).exists()
        assert purge_hidden_tickets(actor=people.alice, kind="deleted") == 1
        assert remaining() == {"Real problem"}

    def test_works_in_batches(self, people, desk):
        assert purge_hidden_tickets(actor=people.alice, kind="spam", batch=1) == 2
        assert remaining() == {"Wrong company", "Real problem"}

    def test_only_the_given_ids_among_them(self, people, desk):
        ids = [desk["spam"][0].pk, desk["live"].pk]
        assert purge_hidden_tickets(actor=people.alice, kind="spam", ids=ids) == 1
        assert remaining() == ALL - {"Buy now 0"}

    @pytest.mark.parametrize("who", ["bob", "carol", "dave"])
    def test_only_admins_may(self, people, desk, who):
        with pytest.raises(ActionRefused) as exc:
            purge_hidden_tickets(actor=getattr(people, who), kind="spam")
        assert exc.value.code == "forbidden" and remaining() == ALL

    @pytest.mark.parametrize("kind", ["closed", "new", "", "spam; drop"])
    def test_other_kinds_are_refused(self, people, desk, kind):
        with pytest.raises(ActionRefused) as exc:
            purge_hidden_tickets(actor=people.alice, kind=kind)
        assert exc.value.code == "invalid" and remaining() == ALL


class TestPurgePage:
    def test_get_shows_how_many_will_go_and_changes_nothing(self, client, people, desk):
        client.force_login(people.alice)
        response = client.get(reverse("purge_hidden", args=["spam"]))
        assert response.status_code == 200 and response.context["count"] == 2
        assert '<strong id="purge-count">2</strong> tickets will be deleted' in response.content.decode()
        assert remaining() == ALL

    def test_post_purges_and_goes_back_to_the_queue(self, client, people, desk):
        client.force_login(people.alice)
        response = client.post(reverse("purge_hidden", args=["deleted"]), follow=True)
        assert response.redirect_chain[0][0] == reverse("ticket_list") + "?queue=deleted"
        assert "1 deleted ticket purged for good." in response.content.decode()
        assert remaining() == ALL - {"Wrong company"}

    def test_an_empty_queue_says_so(self, client, people):
        client.force_login(people.alice)
        body = client.get(reverse("purge_hidden", args=["spam"])).content.decode()
        assert "There are no spam tickets to purge." in body

    def test_staff_are_refused_403_and_nothing_goes(self, client, people, desk):
        client.force_login(people.bob)
        assert client.get(reverse("purge_hidden", args=["spam"])).status_code == 403
        assert client.post(reverse("purge_hidden", args=["spam"])).status_code == 403
        assert remaining() == ALL

    def test_customers_get_404_and_anonymous_log_in(self, client, people, desk):
        assert client.post(reverse("purge_hidden", args=["spam"])).status_code == 302
        client.force_login(people.dave)
        assert client.post(reverse("purge_hidden", args=["spam"])).status_code == 404
        assert remaining() == ALL

    def test_an_unknown_kind_is_404(self, client, people, desk):
        client.force_login(people.alice)
        assert client.post(reverse("purge_hidden", args=["closed"])).status_code == 404
        assert remaining() == ALL

    def test_the_count_page_reads_a_few_queries(self, client, people, desk, django_assert_max_num_queries):
        client.force_login(people.alice)
        # session, user, the count
        with django_assert_max_num_queries(4):
            client.get(reverse("purge_hidden", args=["spam"]))


class TestQueueButton:
    def test_admins_see_it_on_the_spam_and_deleted_queues_only(self, client, people, desk):
        client.force_login(people.alice)
        for queue in ("spam", "deleted"):
            body = client.get(reverse("ticket_list") + f"?queue={queue}").content.decode()
            assert reverse("purge_hidden", args=[queue]) in body
        body = client.get(reverse("ticket_list") + "?queue=all").content.decode()
        assert "/tickets/purge/" not in body

    def test_staff_do_not_see_it(self, client, people, desk):
        client.force_login(people.bob)
        assert "/tickets/purge/" not in client.get(reverse("ticket_list") + "?queue=spam").content.decode()


class TestDjangoAdmin:
    URL = "/admin/tickets/ticket/"

    def test_the_ticket_list_filters_by_status_kind_and_links_purge_now(self, client, people, desk):
        client.force_login(people.alice)
        response = client.get(self.URL + "?status__kind__exact=spam")
        body = response.content.decode()
        assert response.status_code == 200 and "Buy now 0" in body and "Real problem" not in body
        assert reverse("purge_hidden", args=["spam"]) in body
        assert client.get(self.URL + f"{desk['live'].pk}/change/").status_code == 200  # read-only view

    def test_the_action_confirms_with_the_count_then_purges(self, client, people, desk):
        client.force_login(people.alice)
        selected = [t.pk for t in desk["spam"]] + [desk["deleted"].pk, desk["live"].pk]
        data = {"action": "purge_now", ACTION_CHECKBOX_NAME: selected}
        response = client.post(self.URL, data)
        body = response.content.decode()
        assert response.status_code == 200 and '<strong id="purge-count">3</strong>' in body
        assert "1 selected ticket is neither spam nor deleted" in body
        assert remaining() == ALL
        response = client.post(self.URL, {**data, "confirm": "yes"}, follow=True)
        assert "3 tickets purged for good." in response.content.decode()
        assert remaining() == {"Real problem"}

    def test_tickets_cannot_be_added_changed_or_deleted_there(self, client, people, desk):
        client.force_login(people.alice)
        assert client.get(self.URL + "add/").status_code == 403
        assert client.post(self.URL + f"{desk['live'].pk}/delete/").status_code == 403
        assert remaining() == ALL
