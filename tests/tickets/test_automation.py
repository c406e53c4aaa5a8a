"""Automation rules (issue 12): events, conditions, actions, order, loop safety, the hourly cap,
idle rules with the clock moved, and the admin's dry run."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.actions import update_user
from accounts.models import User
from tests.factories import CategoryFactory, make_ticket, priority
from tickets import actions, automation
from tickets.actions.automation import run_automation, run_idle_rules
from tickets.automation import AUTOMATION_EMAIL, rule_matches
from tickets.errors import ActionRefused
from tickets.jobs import run_all
from tickets.models import AutomationRule, Message, StatusKind, Tag, Ticket, TicketEvent

from .lifecycle_helpers import T0, fresh, resolve, status

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks (the automation task, then the emails) when it ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def rule(name="Printers", event="created", **fields) -> AutomationRule:
    made = AutomationRule(name=name, event=event, **fields)
    made.full_clean()
    made.save()
    return made


def notes(ticket, body=None) -> list[str]:
    qs = Message.objects.filter(ticket=ticket, internal=True)
    return [m.body for m in qs if body is None or m.body == body]


def bot() -> User:
    return User.objects.get(email=AUTOMATION_EMAIL)


def tag_names(ticket) -> set[str]:
    return set(fresh(ticket).tags.values_list("name", flat=True))


class TestCreatedEvent:
    def test_matching_rule_acts_through_the_domain_actions_as_the_automation_user(
        self, people, commit, clock
    ):
        rule(
            if_subject_contains="printer",
            set_priority=priority("High"),
            set_team=people.red,
            set_assignee=people.bob,
            add_tags="hardware, Urgent",
            add_note="Check the toner first.",
        )
        with commit():
            ticket = make_ticket(people.dave, people.category, subject="My PRINTER smokes")
        ticket = fresh(ticket)
        assert ticket.priority.name == "High" and ticket.priority_rank == priority("High").rank
        assert ticket.team == people.red and ticket.assignee == people.bob
        assert tag_names(ticket) == {"hardware", "urgent"}
        assert notes(ticket) == ["Check the toner first."]
        automation_user = bot()
        assert automation_user.is_agent and not automation_user.has_usable_password()
        by_rule = TicketEvent.objects.filter(ticket=ticket, actor=automation_user)
        assert {e.action for e in by_rule} == {"priority", "assignee", "team", "tags", "note", "automation"}
        assert {e.via for e in by_rule} == {"Automation: Printers"}
        assert by_rule.get(action="automation").after == {"rule": "Printers", "event": "created"}

    def test_a_ticket_that_does_not_match_is_left_alone(self, people, commit):
        rule(if_subject_contains="printer", add_note="Check the toner first.")
        with commit():
            ticket = make_ticket(people.dave, people.category, subject="Monitor flickers")
        assert notes(ticket) == [] and not User.objects.filter(email=AUTOMATION_EMAIL).exists()

    def test_the_canned_reply_fills_its_placeholders_and_is_mailed(self, people, commit, mailoutbox):
        rule(reply_text="Hello {{ requester.name }}, we have your ticket #{{ ticket.number }}.")
        with commit():
            ticket = make_ticket(people.dave, people.category)
        (reply,) = Message.objects.filter(ticket=ticket, internal=False)
        assert reply.body == f"Hello Dave Customer, we have your ticket #{ticket.pk}."
        assert reply.author == bot()
        replies = [m for m in mailoutbox if "New reply" in m.subject]
        assert [m.to for m in replies] == [["dave@example.com"]] and reply.body in replies[0].body

    def test_nothing_runs_before_the_commit(self, people, django_capture_on_commit_callbacks):
        rule(add_note="Hello")
        with django_capture_on_commit_callbacks(execute=False):
            ticket = make_ticket(people.dave, people.category)
        assert notes(ticket) == []

    def test_nothing_is_queued_when_the_action_is_refused(self, people, commit):
        rule(add_note="Hello")
        with commit(), pytest.raises(ActionRefused):
            actions.create_ticket(actor=people.dave, subject="", description="x", category=people.category)
        assert not Message.objects.exists()

    def test_an_inactive_rule_does_nothing(self, people, commit):
        rule(add_note="Hello", active=False)
        with commit():
            ticket = make_ticket(people.dave, people.category)
        assert notes(ticket) == []


class TestConditions:
    @pytest.fixture
    def tk(self, people):
        other = User.objects.create_user(email="zoe@corp.example", name="Zoe")
        ticket = make_ticket(other, people.category, subject="VPN down", description="Since *Monday*.")
        actions.update_ticket_fields(ticket=ticket, actor=people.bob, priority=priority("High"), tags=["net"])
        actions.assign_ticket(ticket=ticket, actor=people.bob, team=people.red)
        return ticket

    @pytest.mark.parametrize(
        ("field", "match", "miss"),
        [
            ("if_priority", lambda p: priority("High"), lambda p: priority("Low")),
            ("if_team", lambda p: p.red, lambda p: p.blue),
            ("if_category", lambda p: p.category, lambda p: CategoryFactory(name="Software")),
            ("if_status_kind", lambda p: "new", lambda p: "pending"),
            ("if_tag", lambda p: Tag.objects.get(name="net"), lambda p: Tag.objects.create(name="other")),
            ("if_requester_domain", lambda p: "corp.example", lambda p: "example.com"),
            ("if_subject_contains", lambda p: "vpn", lambda p: "printer"),
            ("if_body_contains", lambda p: "monday", lambda p: "tuesday"),
        ],
    )
    def test_each_condition_matches_and_misses(self, people, tk, field, match, miss):
        assert rule_matches(rule("Match", **{field: match(people)}, add_note="x"), tk.pk)
        assert not rule_matches(rule("Miss", **{field: miss(people)}, add_note="x"), tk.pk)

    def test_all_given_conditions_must_match(self, people, tk):
        both = rule("Both", if_team=people.red, if_subject_contains="vpn", add_note="x")
        one = rule("One", if_team=people.red, if_subject_contains="printer", add_note="x")
        assert rule_matches(both, tk.pk) and not rule_matches(one, tk.pk)

    def test_body_contains_looks_at_customer_replies_not_staff_notes(self, people, tk):
        body = rule("Body", if_body_contains="refund", add_note="x")
        actions.add_message(ticket=tk, actor=people.bob, body="No refund here", internal=True)
        assert not rule_matches(body, tk.pk)
        actions.add_message(ticket=tk, actor=tk.requester, body="I want a REFUND")
        assert rule_matches(body, tk.pk)

    def test_spam_deleted_and_archived_tickets_never_match(self, people, tk):
        anything = rule("Anything", add_note="x")
        actions.mark_spam(ticket=tk, actor=people.bob)
        assert not rule_matches(anything, tk.pk)


class TestCustomerRepliedEvent:
    def test_a_customer_reply_runs_the_rules_a_staff_reply_does_not(self, people, commit):
        ticket = make_ticket(people.dave, people.category)
        rule("Replies", event="customer_replied", if_body_contains="urgent", set_priority=priority("High"))
        with commit():
            actions.add_message(ticket=ticket, actor=people.bob, body="Is it urgent?")
            actions.add_message(ticket=ticket, actor=people.bob, body="urgent note", internal=True)
        assert fresh(ticket).priority.name == "Normal"
        with commit():
            actions.add_message(ticket=ticket, actor=people.dave, body="Yes, urgent!")
        assert fresh(ticket).priority.name == "High"


class TestStatusChangedEvent:
    def test_a_status_change_runs_the_rules_on_the_new_status(self, people, commit):
        ticket = make_ticket(people.dave, people.category)
        rule("Waiting", event="status_changed", if_status_kind="pending", add_tags="waiting")
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("open"))
        assert tag_names(ticket) == set()
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert tag_names(ticket) == {"waiting"}

    def test_a_rules_own_status_change_does_not_trigger_status_rules_again(self, people, commit):
        ticket = make_ticket(people.dave, people.category)
        rule("Bounce", event="status_changed", order=1, if_status_kind="pending", set_status=status("open"))
        rule("Count", event="status_changed", order=2, add_note="Status changed")
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=status("pending"))
        assert fresh(ticket).status.kind == StatusKind.OPEN
        assert notes(ticket) == ["Status changed"]  # once, for bob's change; not for the rule's
        runs = TicketEvent.objects.filter(ticket=ticket, action="automation")
        assert [e.after["rule"] for e in runs] == ["Bounce", "Count"]

    def test_a_rule_resolving_a_ticket_sends_the_resolution_notice(self, people, commit, mailoutbox):
        ticket = make_ticket(people.dave, people.category)
        rule(
            "Auto-resolve",
            event="customer_replied",
            if_body_contains="works now",
            set_status=status("resolved"),
        )
        with commit():
            actions.add_message(ticket=ticket, actor=people.dave, body="It works now, thanks")
        assert fresh(ticket).status.kind == StatusKind.RESOLVED
        assert any("] Resolved:" in m.subject for m in mailoutbox)


class TestOrder:
    def test_rules_run_in_order_on_what_the_previous_left(self, people, commit):
        rule("First", order=1, set_priority=priority("High"))
        rule("Second", order=2, if_priority=priority("High"), add_tags="hot")
        with commit():
            ticket = make_ticket(people.dave, people.category)
        assert tag_names(ticket) == {"hot"}

    def test_in_the_other_order_the_second_sees_the_old_priority(self, people, commit):
        rule("First", order=2, set_priority=priority("High"))
        rule("Second", order=1, if_priority=priority("High"), add_tags="hot")
        with commit():
            ticket = make_ticket(people.dave, people.category)
        assert tag_names(ticket) == set() and fresh(ticket).priority.name == "High"

    def test_a_refused_action_is_noted_and_the_others_still_run(self, people, commit):
        rule("Odd", set_assignee=people.carol, add_note="Hi")
        update_user(user=people.carol, is_active=False)
        with commit():
            ticket = make_ticket(people.dave, people.category)
        assert notes(ticket) == ["Hi"] and fresh(ticket).assignee is None
        run = TicketEvent.objects.get(ticket=ticket, action="automation")
        assert run.after["refused"] == ["Tickets can only be assigned to active staff."]


class TestHourlyCap:
    def test_a_ticket_takes_at_most_ten_rule_runs_an_hour(self, people, commit, clock):
        ticket = make_ticket(people.dave, people.category)
        rule("Echo", event="customer_replied", add_note="Seen")
        with commit():
            for n in range(12):
                actions.add_message(ticket=ticket, actor=people.dave, body=f"Reply {n}")
        assert len(notes(ticket)) == automation.RUNS_PER_TICKET_PER_HOUR == 10
        clock.shift(HOUR)
        with commit():
            actions.add_message(ticket=ticket, actor=people.dave, body="Next hour")
        assert len(notes(ticket)) == 11

    def test_the_same_task_delivered_twice_runs_once(self, people):
        ticket = make_ticket(people.dave, people.category)
        rule("Once", add_note="Hello")
        assert run_automation(event="created", ticket_id=ticket.pk, run_key="task-1") == 1
        assert run_automation(event="created", ticket_id=ticket.pk, run_key="task-1") == 0
        assert notes(ticket) == ["Hello"]

    def test_unknown_events_and_purged_tickets_do_nothing(self, people):
        rule("Once", add_note="Hello")
        assert run_automation(event="bogus", ticket_id=1) == 0
        assert run_automation(event="created", ticket_id=2**40) == 0


class TestIdleRules:
    @pytest.fixture
    def idle_rule(self):
        return rule("Nudge", event="idle", idle_hours=48, add_note="Any news?")

    def test_runs_once_the_ticket_is_idle_long_enough_and_once_per_idle_period(
        self, people, clock, idle_rule
    ):
        ticket = make_ticket(people.dave, people.category)
        clock.move_to(T0 + 47 * HOUR, tick=False)
        assert run_idle_rules() == 0
        clock.move_to(T0 + 49 * HOUR, tick=False)
        assert run_idle_rules() == 1 and notes(ticket) == ["Any news?"]
        assert run_idle_rules() == 0  # idempotent: the same idle period is not run twice
        # The rule's note was an update: a new idle period starts then.
        clock.move_to(T0 + 96 * HOUR, tick=False)
        assert run_idle_rules() == 0
        clock.move_to(T0 + 98 * HOUR, tick=False)
        assert run_idle_rules() == 1 and len(notes(ticket)) == 2

    def test_a_rule_that_changes_nothing_still_runs_once_per_period(self, people, clock):
        rule("Mark", event="idle", idle_hours=1, set_status=status("new"))
        ticket = make_ticket(people.dave, people.category)
        clock.move_to(T0 + 2 * HOUR, tick=False)
        assert run_idle_rules() == 1
        assert run_idle_rules() == 0
        assert TicketEvent.objects.filter(ticket=ticket, action="automation").count() == 1

    def test_only_working_tickets_that_match_are_touched(self, people, clock, idle_rule):
        idle_rule.if_subject_contains = "printer"
        idle_rule.save()
        match = make_ticket(people.dave, people.category, subject="Printer")
        other = make_ticket(people.dave, people.category, subject="Mouse")
        done = make_ticket(people.dave, people.category, subject="Printer two")
        resolve(done, people.bob)
        clock.move_to(T0 + 72 * HOUR, tick=False)
        assert run_idle_rules() == 1
        assert notes(match) and not notes(other) and not notes(done)

    def test_batches_report_progress_and_run_from_the_jobs(
        self, people, clock, idle_rule, settings, tmp_path
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        tickets = [make_ticket(people.dave, people.category, subject=f"T{n}") for n in range(3)]
        clock.move_to(T0 + 72 * HOUR, tick=False)
        seen = []
        assert run_idle_rules(batch=2, progress=seen.append) == 3
        assert seen == [2, 3]
        assert all(notes(t) for t in tickets)
        clock.move_to(T0 + 200 * HOUR, tick=False)
        assert run_all()["automation_idle"] == 3

    def test_idle_rules_do_not_run_on_events(self, people, commit, idle_rule):
        with commit():
            ticket = make_ticket(people.dave, people.category)
        assert notes(ticket) == []


class TestRuleValidation:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"event": "idle", "add_note": "x"}, "idle_hours"),
            ({"event": "created", "idle_hours": 3, "add_note": "x"}, "idle_hours"),
            ({"event": "created"}, "__all__"),
            ({"event": "created", "reply_text": "Hi {{ user.password }}"}, "reply_text"),
            ({"event": "created", "if_requester_domain": "a@b.com", "add_note": "x"}, "if_requester_domain"),
        ],
    )
    def test_bad_rules_are_refused(self, people, fields, field):
        with pytest.raises(ValidationError) as exc:
            AutomationRule(name="Bad", **fields).full_clean()
        assert field in exc.value.message_dict

    def test_a_closure_schedule_is_not_a_status_a_rule_can_set(self, people):
        from tickets.workflows import load_workflow

        load_workflow("nine")
        with pytest.raises(ValidationError) as exc:
            AutomationRule(name="Bad", event="created", set_status=status("closure_scheduled")).full_clean()
        assert "set_status" in exc.value.message_dict


class TestHistory:
    def test_the_history_shows_the_rule_as_the_actor(self, client, api, people, commit):
        rule("Printers", set_priority=priority("High"))
        with commit():
            ticket = make_ticket(people.dave, people.category)
        client.force_login(people.bob)
        page = client.get(reverse("ticket_history", args=[ticket.pk])).content.decode()
        assert "<td>Automation: Printers</td>" in page
        rows = api(people.bob).get(f"/api/v1/tickets/{ticket.pk}/history/").json()
        assert {r["via"] for r in rows if r["action"] == "priority"} == {"Automation: Printers"}


class TestDryRunPreview:
    @pytest.fixture
    def desk(self, people):
        match = [make_ticket(people.dave, people.category, subject=f"Printer {n}") for n in range(3)]
        make_ticket(people.dave, people.category, subject="Mouse")
        closed = make_ticket(people.dave, people.category, subject="Printer closed")
        actions.close_ticket(ticket=closed, actor=people.bob)
        return match

    def test_the_preview_lists_matching_open_tickets_and_changes_nothing(self, client, people, desk):
        printers = rule(if_subject_contains="printer", add_note="x", set_status=status("pending"))
        before = (
            TicketEvent.objects.count(),
            Message.objects.count(),
            list(Ticket.objects.values_list("status")),
        )
        client.force_login(people.alice)
        response = client.get(reverse("admin:tickets_automationrule_preview", args=[printers.pk]))
        assert response.status_code == 200
        (preview,) = response.context["previews"]
        assert preview["count"] == 3 and {t.pk for t in preview["tickets"]} == {t.pk for t in desk}
        assert "Printer closed" not in response.content.decode()
        after = (
            TicketEvent.objects.count(),
            Message.objects.count(),
            list(Ticket.objects.values_list("status")),
        )
        assert after == before and not User.objects.filter(email=AUTOMATION_EMAIL).exists()

    def test_at_most_the_limit_is_listed_with_the_full_count(self, client, people, desk, monkeypatch):
        monkeypatch.setattr(automation, "PREVIEW_LIMIT", 2)
        printers = rule(if_subject_contains="printer", add_note="x")
        client.force_login(people.alice)
        response = client.get(reverse("admin:tickets_automationrule_preview", args=[printers.pk]))
        (preview,) = response.context["previews"]
        assert preview["count"] == 3 and len(preview["tickets"]) == 2

    def test_the_admin_action_previews_the_selected_rules(self, client, people, desk):
        first = rule("First", if_subject_contains="printer", add_note="x")
        second = rule("Second", if_subject_contains="mouse", add_note="x")
        client.force_login(people.alice)
        response = client.post(
            "/admin/tickets/automationrule/",
            {"action": "preview_matches", "_selected_action": [first.pk, second.pk]},
        )
        assert [(p["rule"].name, p["count"]) for p in response.context["previews"]] == [
            ("First", 3),
            ("Second", 1),
        ]
        assert not notes(desk[0])

    def test_idle_rules_preview_the_tickets_idle_long_enough(self, client, people, clock, desk):
        idle = rule("Idle", event="idle", idle_hours=10, add_note="x")
        client.force_login(people.alice)
        url = reverse("admin:tickets_automationrule_preview", args=[idle.pk])
        assert client.get(url).context["previews"][0]["count"] == 0
        clock.move_to(T0 + 11 * HOUR, tick=False)
        assert client.get(url).context["previews"][0]["count"] == 4

    def test_the_change_page_links_the_preview_and_staff_cannot_reach_it(self, client, people):
        printers = rule(add_note="x")
        client.force_login(people.alice)
        page = client.get(f"/admin/tickets/automationrule/{printers.pk}/change/").content.decode()
        assert reverse("admin:tickets_automationrule_preview", args=[printers.pk]) in page
        client.force_login(people.bob)
        response = client.get(reverse("admin:tickets_automationrule_preview", args=[printers.pk]))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
