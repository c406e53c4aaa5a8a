"""link_tickets, unlink_tickets and resolve_children (SPEC §5)."""

import pytest

from links.actions import link_tickets, resolve_children, unlink_tickets
from links.models import LinkType, TicketLink
from links.selectors import link_search, links_for
from tests.factories import make_ticket
from tickets import actions
from tickets.errors import ActionRefused
from tickets.models import StatusKind, Survey, TicketEvent


def pairs():
    return sorted(TicketLink.objects.values_list("source_id", "target_id", "type"))


@pytest.fixture
def other(people):
    return make_ticket(people.dave, people.category, subject="Scanner jams on A3 paper")


class TestLinkTickets:
    @pytest.mark.parametrize(
        "type, inverse",
        [
            ("related_to", "related_to"),
            ("parent_of", "child_of"),
            ("child_of", "parent_of"),
            ("caused_by", "causes"),
            ("causes", "caused_by"),
            ("duplicate_of", "duplicated_by"),
            ("duplicated_by", "duplicate_of"),
        ],
    )
    def test_a_link_appears_on_both_tickets(self, people, ticket, other, type, inverse):
        link_tickets(actor=people.bob, source=ticket, target=other, type=type)
        assert pairs() == sorted([(ticket.pk, other.pk, type), (other.pk, ticket.pk, inverse)])

    def test_both_tickets_record_the_link_in_their_history(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type=LinkType.PARENT_OF)
        on_source = TicketEvent.objects.get(ticket=ticket, action="link")
        on_target = TicketEvent.objects.get(ticket=other, action="link")
        assert on_source.after == {"type": "parent_of", "ticket": other.pk} and on_source.actor == people.bob
        assert on_target.after == {"type": "child_of", "ticket": ticket.pk}

    def test_links_work_whatever_the_status(self, people, ticket, other):
        actions.close_ticket(ticket=other, actor=people.bob)
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        assert len(pairs()) == 2

    def test_a_link_to_itself_is_refused(self, people, ticket):
        with pytest.raises(ActionRefused) as refused:
            link_tickets(actor=people.bob, source=ticket, target=ticket, type="related_to")
        assert refused.value.code == "invalid"
        assert pairs() == [] and not TicketEvent.objects.filter(action="link").exists()

    def test_a_second_identical_link_is_refused(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        with pytest.raises(ActionRefused, match="already"):
            link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        assert len(pairs()) == 2 and TicketEvent.objects.filter(action="link").count() == 2

    def test_the_same_link_made_from_the_other_side_is_refused(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        with pytest.raises(ActionRefused, match="already"):
            link_tickets(actor=people.bob, source=other, target=ticket, type="child_of")
        assert len(pairs()) == 2

    def test_an_unknown_type_is_refused(self, people, ticket, other):
        with pytest.raises(ActionRefused) as refused:
            link_tickets(actor=people.bob, source=ticket, target=other, type="blocks")
        assert refused.value.field == "type"
        assert pairs() == []

    @pytest.mark.parametrize("who", ["dave", "erin"])
    def test_customers_are_refused(self, people, ticket, other, who):
        with pytest.raises(ActionRefused) as refused:
            link_tickets(actor=getattr(people, who), source=ticket, target=other, type="related_to")
        assert refused.value.code == "forbidden"
        assert pairs() == []

    def test_a_target_the_staff_member_cannot_see_is_refused(self, people, ticket, other):
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)  # carol sees this one
        with pytest.raises(ActionRefused) as refused:
            link_tickets(actor=people.carol, source=ticket, target=other, type="related_to")
        assert refused.value.field == "target"
        assert pairs() == []


class TestUnlinkTickets:
    def test_removing_a_link_removes_both_directions(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="duplicate_of")
        unlink_tickets(actor=people.bob, source=ticket, target=other, type="duplicate_of")
        assert pairs() == []
        assert TicketEvent.objects.get(ticket=other, action="unlink").before == {
            "type": "duplicated_by",
            "ticket": ticket.pk,
        }

    def test_a_link_can_be_removed_from_the_other_side(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        unlink_tickets(actor=people.bob, source=other, target=ticket, type="child_of")
        assert pairs() == []

    def test_other_links_stay(self, people, ticket, other):
        third = make_ticket(people.dave, people.category)
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        link_tickets(actor=people.bob, source=ticket, target=third, type="related_to")
        link_tickets(actor=people.bob, source=ticket, target=other, type="caused_by")
        unlink_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        assert pairs() == sorted(
            [
                (ticket.pk, third.pk, "related_to"),
                (third.pk, ticket.pk, "related_to"),
                (ticket.pk, other.pk, "caused_by"),
                (other.pk, ticket.pk, "causes"),
            ]
        )

    def test_a_missing_link_is_not_found(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        with pytest.raises(ActionRefused) as refused:
            unlink_tickets(actor=people.bob, source=ticket, target=other, type="parent_of")
        assert refused.value.code == "not_found"
        assert len(pairs()) == 2

    def test_customers_are_refused(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        with pytest.raises(ActionRefused) as refused:
            unlink_tickets(actor=people.dave, source=ticket, target=other, type="related_to")
        assert refused.value.code == "forbidden"
        assert len(pairs()) == 2


class TestResolveChildren:
    @pytest.fixture
    def family(self, people, ticket):
        children = [make_ticket(people.dave, people.category, subject=f"Child {i}") for i in range(4)]
        for child in children:
            link_tickets(actor=people.bob, source=ticket, target=child, type="parent_of")
        return ticket, children

    def test_every_open_child_is_resolved_with_the_parents_notes(self, people, family):
        parent, children = family
        actions.resolve_ticket(ticket=parent, actor=people.bob, resolution_notes="Replaced the router")
        assert resolve_children(actor=people.bob, parent=parent) == 4
        for child in children:
            child.refresh_from_db()
            assert child.status.kind == StatusKind.RESOLVED
            assert child.resolution_notes == "Replaced the router"
            assert Survey.objects.filter(ticket=child).exists()
            assert TicketEvent.objects.filter(ticket=child, action="status").exists()

    def test_given_notes_win_over_the_parents(self, people, family):
        parent, children = family
        actions.resolve_ticket(ticket=parent, actor=people.bob, resolution_notes="Parent notes")
        resolve_children(actor=people.bob, parent=parent, resolution_notes="Child notes")
        children[0].refresh_from_db()
        assert children[0].resolution_notes == "Child notes"

    def test_empty_notes_take_the_parents(self, people, family):
        parent, children = family
        actions.resolve_ticket(ticket=parent, actor=people.bob, resolution_notes="Parent notes")
        resolve_children(actor=people.bob, parent=parent, resolution_notes="  ")
        children[1].refresh_from_db()
        assert children[1].resolution_notes == "Parent notes"

    def test_resolved_and_closed_children_are_skipped(self, people, family):
        parent, children = family
        actions.resolve_ticket(ticket=children[0], actor=people.bob, resolution_notes="Own notes")
        actions.close_ticket(ticket=children[1], actor=people.bob)
        assert resolve_children(actor=people.bob, parent=parent, resolution_notes="Bulk") == 2
        children[0].refresh_from_db()
        children[1].refresh_from_db()
        assert children[0].resolution_notes == "Own notes"
        assert children[1].status.kind == StatusKind.CLOSED
        assert resolve_children(actor=people.bob, parent=parent) == 0

    def test_only_children_count_not_parents_or_related(self, people, ticket, other):
        grandparent = make_ticket(people.dave, people.category)
        link_tickets(actor=people.bob, source=ticket, target=grandparent, type="child_of")
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        assert resolve_children(actor=people.bob, parent=ticket) == 0
        grandparent.refresh_from_db()
        assert grandparent.status.kind == StatusKind.NEW

    def test_the_parent_records_how_many(self, people, family):
        parent, children = family
        resolve_children(actor=people.bob, parent=parent)
        event = TicketEvent.objects.get(ticket=parent, action="children_resolved")
        assert event.after == {"count": 4, "tickets": sorted(c.pk for c in children)}

    def test_customers_are_refused_and_nothing_changes(self, people, family):
        parent, children = family
        with pytest.raises(ActionRefused) as refused:
            resolve_children(actor=people.dave, parent=parent)
        assert refused.value.code == "forbidden"
        children[0].refresh_from_db()
        assert children[0].status.kind == StatusKind.NEW

    def test_children_the_staff_member_cannot_see_are_left_alone(self, people, family):
        parent, children = family
        actions.assign_ticket(ticket=parent, actor=people.bob, team=people.blue)
        actions.assign_ticket(ticket=children[0], actor=people.bob, team=people.blue)
        assert resolve_children(actor=people.carol, parent=parent) == 1
        children[1].refresh_from_db()
        assert children[1].status.kind == StatusKind.NEW


class TestLinksFor:
    def test_links_are_grouped_by_type_in_order(self, people, ticket, other):
        third = make_ticket(people.dave, people.category)
        link_tickets(actor=people.bob, source=ticket, target=third, type="duplicate_of")
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        link_tickets(actor=people.bob, source=ticket, target=third, type="parent_of")
        groups = links_for(ticket, people.bob)
        assert [(g.type, [link.target_id for link in g.links]) for g in groups] == [
            ("related_to", [other.pk]),
            ("parent_of", [third.pk]),
            ("duplicate_of", [third.pk]),
        ]
        assert groups[0].label == "related to"

    def test_links_to_tickets_the_user_cannot_see_are_left_out(self, people, ticket, other):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.blue)
        assert links_for(ticket, people.carol) == []
        assert len(links_for(ticket, people.bob)) == 1

    def test_one_query_without_the_targets_texts(self, people, ticket, other, django_assert_num_queries):
        link_tickets(actor=people.bob, source=ticket, target=other, type="related_to")
        with django_assert_num_queries(1) as read:
            (link,) = links_for(ticket, people.bob)[0].links
            shown = (
                link.target.subject,
                link.target.number,
                link.target.status.name,
                link.target.status.color,
            )
        assert shown == (other.subject, other.pk, other.status.name, other.status.color)
        sql = read.captured_queries[0]["sql"]
        assert "search_vector" not in sql and "description" not in sql


class TestLinkSearch:
    def test_a_number_finds_that_ticket(self, people, ticket, other):
        assert link_search(people.bob, str(other.pk)) == [other]
        assert link_search(people.bob, f"#{other.pk}") == [other]

    def test_words_of_the_subject_find_tickets_with_all_of_them(self, people, ticket, other):
        assert link_search(people.bob, "scanner A3") == [other]
        assert link_search(people.bob, "SCANNER") == [other]
        assert link_search(people.bob, "scanner printer") == []

    def test_only_visible_tickets_are_found(self, people, ticket, other):
        assert link_search(people.carol, str(other.pk)) == []
        assert link_search(people.carol, "scanner") == []
        assert link_search(people.erin, "scanner") == []

    def test_the_ticket_being_linked_is_left_out(self, people, ticket, other):
        assert link_search(people.bob, "printer", exclude=ticket) == []

    def test_at_most_twenty_results(self, people, ticket):
        for i in range(22):
            make_ticket(people.dave, people.category, subject=f"Printer {i}")
        assert len(link_search(people.bob, "printer")) == 20

    def test_blank_finds_nothing(self, people, ticket):
        assert link_search(people.bob, "   ") == []
