"""Email out (SPEC §8) through a real SMTP server on 127.0.0.1: headers, threading, bodies,
and each email sent once per event and recipient, retried until the server takes it."""

import email.policy
import email.utils

import pytest
from celery.exceptions import Retry

from tickets import actions
from tickets.mail.addresses import reply_tag, thread_root, ticket_of_reply_address
from tickets.mail.ingest import ingest_email
from tickets.models import Message, OutboundEmail
from tickets.tasks import send_notification_task
from tickets.workflows import load_workflow

from ..factories import make_ticket
from . import mail_support
from .lifecycle_helpers import copy_in, named, resolve

desk, smtp = mail_support.desk, mail_support.smtp  # the fixtures
pytestmark = pytest.mark.usefixtures("desk")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def worker_retries(monkeypatch):
    """Let eager tasks retry as a worker would (the test settings propagate errors instead)."""
    monkeypatch.setitem(send_notification_task.app.conf, "task_eager_propagates", False)


@pytest.fixture
def tk(people, commit, smtp):
    with commit():
        ticket = make_ticket(people.dave, people.category)
    smtp.received.clear()
    return ticket


class TestHeaders:
    def test_the_auto_response_is_threaded_numbered_tagged_and_automatic(self, people, commit, smtp):
        with commit():
            ticket = make_ticket(people.dave, people.category)
        (mail,) = smtp.received
        sent = OutboundEmail.objects.get(ticket=ticket)
        assert mail.rcpt_tos == ["dave@example.com"] and mail.mail_from == "help@desk.example.com"
        assert mail["Subject"] == f"[#{ticket.pk}] We received your request: Printer is on fire"
        assert mail["Message-ID"] == sent.message_id and sent.sent_at is not None
        assert mail["In-Reply-To"] == thread_root(ticket.pk) == f"<ticket-{ticket.pk}@desk.example.com>"
        assert mail["References"] == thread_root(ticket.pk)
        assert mail["Auto-Submitted"] == "auto-generated"
        reply_to = email.utils.parseaddr(str(mail["Reply-To"]))[1]
        assert reply_to == f"help+t{ticket.pk}-{reply_tag(ticket.pk)}@desk.example.com"
        assert ticket_of_reply_address(reply_to) == ticket.pk

    def test_the_body_comes_as_plain_text_and_html(self, people, commit, smtp):
        with commit():
            ticket = make_ticket(people.dave, people.category, subject="Fish & <chips>")
        (mail,) = smtp.received
        assert mail.message.get_content_type() == "multipart/alternative"
        assert f"opened ticket #{ticket.pk}" in mail.text and "Fish & <chips>" in mail.text
        assert "Fish &amp; &lt;chips&gt;" in mail.html and "<chips>" not in mail.html
        assert f"/portal/tickets/{ticket.pk}/" in mail.html

    def test_a_ticket_from_email_answers_under_the_customers_message(self, people, commit, smtp):
        raw = (
            b"From: Frank <frank@example.org>\r\nTo: help@desk.example.com\r\nSubject: VPN\r\n"
            b"Message-ID: <first@example.org>\r\n\r\nIt is broken.\r\n"
        )
        with commit():
            intake = ingest_email(raw)
        (mail,) = smtp.received
        assert mail["In-Reply-To"] == "<first@example.org>"
        assert mail["References"] == f"{thread_root(intake.ticket_id)} <first@example.org>"

    def test_every_message_has_its_own_message_id(self, people, tk, commit, smtp):
        copy_in(tk, people.erin)
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="One")
            actions.add_message(ticket=tk, actor=people.bob, body="Two")
        ids = [str(mail["Message-ID"]) for mail in smtp.received]
        assert len(ids) == 4 and len(set(ids)) == 4
        assert set(ids) == set(
            OutboundEmail.objects.filter(kind="reply").values_list("message_id", flat=True)
        )


class TestWhoGetsWhat:
    def test_a_public_reply_goes_to_everyone_but_its_author_and_is_not_automatic(
        self, people, tk, commit, smtp
    ):
        copy_in(tk, people.erin)
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.carol)
        with commit():
            actions.add_message(ticket=tk, actor=people.erin, body="Same *here*")
        assert smtp.recipients == ["carol@example.com", "dave@example.com"]
        for mail in smtp.received:
            assert "Auto-Submitted" not in mail.message and "Same *here*" in mail.text
            assert mail["Subject"] == f"[#{tk.pk}] New reply: Printer is on fire"
            assert mail["In-Reply-To"] == thread_root(tk.pk)

    def test_an_internal_note_is_never_mailed(self, people, tk, commit, smtp):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.carol)
        smtp.received.clear()
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Secret", internal=True)
        assert smtp.received == []

    def test_a_person_who_is_assignee_and_participant_gets_one_email(self, people, tk, commit, smtp):
        copy_in(tk, people.bob, actor=people.alice)
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        smtp.received.clear()
        with commit():
            actions.add_message(ticket=tk, actor=people.dave, body="Hello")
        assert smtp.recipients == ["bob@example.com"]

    def test_assignment_reopen_and_survey_mail_are_automatic(self, people, tk, commit, smtp):
        with commit():
            actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
            resolve(tk, people.bob)
            actions.add_message(ticket=tk, actor=people.dave, body="Broken again")
        kinds = {
            str(m["Subject"]).split("] ")[1].split(":")[0]: m
            for m in smtp.received
            if "New reply" not in m["Subject"]
        }
        assert set(kinds) == {"Assigned to you", "How did we do?", "Reopened by the customer"}
        assert kinds["Assigned to you"].rcpt_tos == ["bob@example.com"]
        assert kinds["Reopened by the customer"].rcpt_tos == ["bob@example.com"]
        assert kinds["How did we do?"].rcpt_tos == ["dave@example.com"]
        assert all(m["Auto-Submitted"] == "auto-generated" for m in kinds.values())

    @pytest.mark.parametrize("hide", ["mark_spam", "delete_ticket"])
    def test_nothing_goes_out_for_a_hidden_ticket(self, people, tk, commit, smtp, hide):
        getattr(actions, hide)(ticket=tk, actor=people.bob)
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Hello?")
        assert smtp.received == [] and not OutboundEmail.objects.exclude(kind="created").exists()

    def test_nothing_goes_out_for_a_draft(self, people, commit, smtp):
        load_workflow("servicedesk")
        with commit():
            ticket = make_ticket(people.dave, people.category, actor=people.bob)
            actions.add_message(ticket=ticket, actor=people.bob, body="Drafting")
        assert smtp.received == []
        with commit():
            actions.transition_ticket(ticket=ticket, actor=people.bob, status=named("Active"))
        assert smtp.recipients == ["dave@example.com"]


class TestSentOnce:
    def test_the_same_task_run_twice_sends_one_email(self, people, tk, smtp):
        message = Message.objects.create(ticket=tk, author=people.bob, body="Hi")  # a reply's row
        for _ in range(2):
            send_notification_task.apply(("reply", tk.pk), {"message_id": message.pk}, task_id="task-1")
        assert smtp.recipients == ["dave@example.com"]
        assert OutboundEmail.objects.filter(kind="reply").count() == 1

    def test_an_event_sent_twice_by_different_tasks_is_one_email_per_event(self, people, tk, smtp):
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        smtp.received.clear()
        args = ("assigned", tk.pk)
        send_notification_task.apply(args, {"user_id": people.bob.pk}, task_id="event-a")
        send_notification_task.apply(args, {"user_id": people.bob.pk}, task_id="event-a")
        send_notification_task.apply(args, {"user_id": people.bob.pk}, task_id="event-b")
        assert smtp.recipients == ["bob@example.com", "bob@example.com"]

    def test_the_auto_response_is_sent_once_per_ticket_whatever_queued_it(self, people, tk, smtp):
        for task_id in ("x", "y"):
            send_notification_task.apply(("created", tk.pk), task_id=task_id)
        assert smtp.received == []  # the fixture's creation sent it already

    def test_a_refused_send_is_retried_and_delivered_once(self, people, tk, commit, smtp, worker_retries):
        smtp.refuse_data = 2  # "451 try again later", twice
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Third time lucky")
        assert smtp.recipients == ["dave@example.com"]
        assert OutboundEmail.objects.get(kind="reply").sent_at is not None

    def test_a_retry_sends_only_what_the_server_did_not_take(self, people, tk, commit, smtp, worker_retries):
        copy_in(tk, people.erin)
        smtp.refuse_rcpt = {"erin@example.com": 1}
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Hello both")
        assert smtp.recipients == ["dave@example.com", "erin@example.com"]
        assert OutboundEmail.objects.filter(kind="reply", sent_at__isnull=False).count() == 2

    def test_an_unreachable_server_leaves_the_email_unsent_for_a_later_retry(
        self, people, tk, smtp, settings
    ):
        message = Message.objects.create(ticket=tk, author=people.bob, body="Hi")
        port = settings.EMAIL_PORT
        settings.EMAIL_PORT = 1  # nothing listens there
        with pytest.raises(Retry) as retry:  # a worker would run it again later, with backoff
            send_notification_task.apply(("reply", tk.pk), {"message_id": message.pk}, task_id="t")
        assert isinstance(retry.value.exc, ConnectionRefusedError)
        assert OutboundEmail.objects.get(kind="reply").sent_at is None
        settings.EMAIL_PORT = port
        send_notification_task.apply(("reply", tk.pk), {"message_id": message.pk}, task_id="t")
        assert smtp.recipients == ["dave@example.com"]


class TestRoundTrip:
    def reply_to(self, mail, sender: str, body: str) -> bytes:
        """What a mail program sends when its user answers `mail`."""
        answer = email.message.EmailMessage(policy=email.policy.SMTP)
        answer["From"] = sender
        answer["To"] = str(mail["Reply-To"])
        answer["Subject"] = f"Re: {mail['Subject']}"
        answer["Message-ID"] = email.utils.make_msgid(domain="example.com")
        answer["In-Reply-To"] = str(mail["Message-ID"])
        answer["References"] = f"{mail['References']} {mail['Message-ID']}"
        quoted = "\n".join(f"> {line}" for line in mail.text.splitlines())
        answer.set_content(f"{body}\n\nOn Mon, 2 Mar 2026, Help Desk wrote:\n{quoted}\n")
        return answer.as_bytes()

    def test_the_answer_to_a_notification_lands_on_its_ticket(self, people, tk, commit, smtp):
        other = make_ticket(people.dave, people.category, subject="Another one")
        actions.assign_ticket(ticket=tk, actor=people.alice, assignee=people.bob)
        smtp.received.clear()
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Did the fuse help?")
        (notification,) = smtp.received
        smtp.received.clear()
        with commit():
            intake = ingest_email(self.reply_to(notification, "Dave Customer <dave@example.com>", "Yes!"))
        assert (intake.outcome, intake.ticket_id) == ("replied", tk.pk)
        assert Message.objects.filter(ticket=tk).last().body == "Yes!"
        assert not Message.objects.filter(ticket=other).exists()
        (to_bob,) = smtp.received  # the customer's reply goes on to the agent
        assert to_bob.rcpt_tos == ["bob@example.com"] and "Yes!" in to_bob.text

    def test_threading_headers_alone_bring_the_answer_back(self, people, tk, commit, smtp):
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Did the fuse help?")
        (notification,) = smtp.received
        raw = self.reply_to(notification, "dave@example.com", "Yes!").replace(
            str(notification["Reply-To"]).encode(), b"help@desk.example.com"
        )
        raw = raw.replace(f"[#{tk.pk}]".encode(), b"")
        with commit():
            assert ingest_email(raw).ticket_id == tk.pk

    def test_the_refusal_of_a_closed_ticket_arrives_as_an_auto_reply(self, people, tk, commit, smtp):
        with commit():
            actions.add_message(ticket=tk, actor=people.bob, body="Done.")
        (notification,) = smtp.received
        actions.close_ticket(ticket=tk, actor=people.bob)
        smtp.received.clear()
        answer = self.reply_to(notification, "dave@example.com", "One more thing")
        with commit():
            assert ingest_email(answer).outcome == "refused:closed"
        (refusal,) = smtp.received
        answer_id = email.message_from_bytes(answer, policy=email.policy.default)["Message-ID"]
        assert refusal.rcpt_tos == ["dave@example.com"]
        assert refusal["Auto-Submitted"] == "auto-replied" and refusal["In-Reply-To"] == answer_id
        assert f"ticket #{tk.pk} is closed" in refusal["Subject"] and "help@desk.example.com" in refusal.text
        with commit():  # the same answer delivered again: no second refusal
            assert ingest_email(answer).outcome == "duplicate"
        assert len(smtp.received) == 1
